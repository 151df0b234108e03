/**
 * hived writes times as `2026-11-25T16:30:51`: UTC, no zone suffix, whole seconds. An accelerated simnet (a block
 * interval that is not a whole number of seconds) keeps milliseconds so that consecutive blocks stay distinguishable.
 */

/** Formats epoch milliseconds as hived does; with `withMillis`, appends `.mmm`. */
export function formatHiveTime(epochMs: number, withMillis = false): string {
  const iso = new Date(epochMs).toISOString();
  return withMillis ? iso.slice(0, 23) : iso.slice(0, 19);
}

/** Parses a hived time string (no zone suffix means UTC). Returns `NaN` where it is not a time. */
export function parseHiveTime(text: string): number {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?$/.test(text)) return Number.NaN;
  return Date.parse(`${text}Z`);
}
