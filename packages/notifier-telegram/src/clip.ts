/** `text` cut to at most `max` UTF-16 units, saying how many characters were cut; never half of a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = (cut: number) => `... (${cut} characters cut)`;
  let keep = Math.max(0, max - note(text.length).length);
  // Never half of a surrogate pair (an emoji): Telegram would refuse the text.
  if (/[\uD800-\uDBFF]/.test(text[keep - 1] ?? '')) keep -= 1;
  return `${text.slice(0, keep)}${note(text.length - keep)}`;
}
