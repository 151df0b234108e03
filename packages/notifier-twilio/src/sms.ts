/**
 * SMS length arithmetic. A message in the GSM-7 alphabet fits 160 characters in one segment and 153 per segment
 * when split; one character outside it switches the whole message to UCS-2 (70, then 67 per segment), which more
 * than doubles the cost of a long alert. So alerts are kept in GSM-7.
 */

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** Characters that cost two septets (an escape, then the character). */
const GSM7_EXTENDED = '^{}\\[~]|€\f';

const BASIC = new Set(GSM7_BASIC);
const EXTENDED = new Set(GSM7_EXTENDED);

/** Look-alikes of common non-GSM characters, so that an error message does not turn the SMS into UCS-2. */
const LOOKALIKES: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u2013': '-',
  '\u2014': '-',
  '\u2026': '...',
  '\u2192': '->',
  '\u00a0': ' ',
  '\t': ' ',
  '`': "'",
};

/** How a text travels as SMS. */
export interface SmsLength {
  encoding: 'GSM-7' | 'UCS-2';
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
}

/**
 * How many SMS segments `text` takes, and in which encoding.
 *
 * @example
 * smsLength('a'.repeat(161)); // { encoding: 'GSM-7', units: 161, segments: 2 }
 */
export function smsLength(text: string): SmsLength {
  let septets = 0;
  for (const char of text) {
    if (BASIC.has(char)) septets += 1;
    else if (EXTENDED.has(char)) septets += 2;
    else {
      const units = text.length;
      return { encoding: 'UCS-2', units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
    }
  }
  return { encoding: 'GSM-7', units: septets, segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
}

/**
 * Makes `text` an SMS body of at most `maxSegments` GSM-7 segments: look-alikes for common typographic characters,
 * `?` for anything else outside GSM-7, then cut (ending in `...`) to fit.
 *
 * @example
 * toSmsBody('switched \u2192 backup'); // 'switched -> backup'
 */
export function toSmsBody(text: string, maxSegments = 2): string {
  let gsm = '';
  for (const char of text) {
    const lookalike = LOOKALIKES[char];
    gsm += lookalike ?? (BASIC.has(char) || EXTENDED.has(char) ? char : '?');
  }
  const budget = maxSegments <= 1 ? 160 : 153 * maxSegments;
  if (smsLength(gsm).units <= budget) return gsm;
  const chars = [...gsm];
  while (chars.length > 0 && smsLength(`${chars.join('')}...`).units > budget) chars.pop();
  return `${chars.join('')}...`;
}
