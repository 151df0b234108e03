/** What a secret is replaced with wherever it would otherwise be shown. */
export const REDACTED = '[redacted]';

/**
 * Removes every secret from a piece of text: the secret itself and its URL-encoded form (a bot token sits in a URL
 * path). Empty secrets are ignored.
 *
 * @example
 * redactText('POST /bot123:abc/sendMessage failed', ['123:abc']); // 'POST /bot[redacted]/sendMessage failed'
 */
export function redactText(text: string, secrets: readonly string[]): string {
  return replaceAll(text, secretForms(secrets));
}

/**
 * A deep copy of `value` with every secret removed from every string in it (object keys included), for error
 * details and logs. Cycles and depth beyond 8 become `'[...]'`; functions are dropped.
 */
export function redactValue(value: unknown, secrets: readonly string[]): unknown {
  return redactDeep(value, secretForms(secrets), 0, new WeakSet());
}

/**
 * A copy of an error, safe to keep as a `cause`: same name, redacted message, string `code` kept, its own `cause`
 * redacted the same way (a few levels deep). The stack is rebuilt from the redacted message, so it names no secret.
 */
export function redactError(error: unknown, secrets: readonly string[], depth = 0): Error {
  if (!(error instanceof Error)) return new Error(redactText(String(error), secrets));
  const copy = new Error(
    redactText(error.message, secrets),
    depth < 4 && error.cause !== undefined ? { cause: redactError(error.cause, secrets, depth + 1) } : undefined,
  );
  copy.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') Object.assign(copy, { code });
  copy.stack = `${copy.name}: ${copy.message}`;
  return copy;
}

function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret === '') continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
  }
  // Longest first, so that a secret that contains another is replaced whole.
  return [...forms].sort((a, b) => b.length - a.length);
}

function redactDeep(value: unknown, forms: string[], depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return replaceAll(value, forms);
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
  if (seen.has(value) || depth > 8) return '[...]';
  seen.add(value);
  if (value instanceof Error) return redactError(value, forms);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, forms, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[replaceAll(key, forms)] = redactDeep(item, forms, depth + 1, seen);
  }
  return out;
}

function replaceAll(text: string, forms: string[]): string {
  let out = text;
  for (const form of forms) out = out.split(form).join(REDACTED);
  return out;
}
