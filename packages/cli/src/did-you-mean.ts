/**
 * One "did you mean" for every name an operator types: commands, options, environment variable names. Distance is
 * edit distance with a swap of two neighbours counting as one edit (`stauts` is one edit from `status`).
 */

/**
 * The candidate nearest to `typed`, where it is near enough to be a typo: at most 1 edit for names up to 4
 * characters, 2 for longer ones. `undefined` where none is (or two are equally near: no guess then).
 * @example
 * nearest('swich', ['switch', 'status']); // 'switch'
 */
export function nearest(typed: string, candidates: Iterable<string>): string | undefined {
  const limit = typed.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  let tie = false;
  for (const candidate of candidates) {
    if (candidate === typed) continue;
    const distance = editDistance(typed.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
      tie = false;
    } else if (distance === bestDistance && candidate !== best) {
      tie = true;
    }
  }
  return best !== undefined && bestDistance <= limit && !tie ? best : undefined;
}

/** `: did you mean X?` for a message, or the empty string. */
export function didYouMean(typed: string, candidates: Iterable<string>, show = (name: string) => name): string {
  const near = nearest(typed, candidates);
  return near === undefined ? '' : `: did you mean ${show(near)}?`;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i] as number[];
      const above = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = value;
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}
