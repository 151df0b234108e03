/**
 * Looks for secrets where they must never be: a private key or a token, whole or in a recognisable part.
 */

/** A place something was printed or saved, and its text. */
export interface Exposure {
  where: string;
  text: string;
}

/** A leak: which secret (shown only by its length and first characters) was found where. */
export interface Leak {
  where: string;
  secret: string;
}

/** The WIF shape: a private key of any origin, ours or not. */
const WIF = /\b5[HJK][1-9A-HJ-NP-Za-km-z]{49}\b/g;

/**
 * Every secret (or 16-character slice of one: a truncated key is still a leak) found in `exposures`, and every
 * WIF-shaped string except those listed in `allowedWifs` (e.g. the fresh key `keygen` is asked to print).
 * @example
 * expect(findLeaks([{ where: 'stdout', text }], [wif, token])).toEqual([]);
 */
export function findLeaks(exposures: Exposure[], secrets: string[], allowedWifs: string[] = []): Leak[] {
  const leaks: Leak[] = [];
  const label = (secret: string) => `${secret.slice(0, 4)}... (${secret.length} chars)`;
  for (const { where, text } of exposures) {
    for (const secret of secrets) {
      const probes = secret.length <= 16 ? [secret] : [secret.slice(0, 16), secret.slice(-16)];
      if (probes.some((probe) => text.includes(probe))) leaks.push({ where, secret: label(secret) });
    }
    for (const match of text.match(WIF) ?? []) {
      if (!allowedWifs.includes(match) && !secrets.includes(match)) leaks.push({ where, secret: label(match) });
    }
  }
  return leaks;
}
