import type { TrapNotification } from '@witness-trap/core';
import { clip } from './clip.js';

/** How a message is marked up: Telegram's `HTML` or `MarkdownV2` parse modes, or `plain` text (no `parse_mode`). */
export type TelegramParseMode = 'HTML' | 'MarkdownV2' | 'plain';

/** The facts shown in full under the text (the text shortens keys for SMS; in Telegram they can be copied whole). */
const DETAIL_LABELS: Array<[fact: string, label: string]> = [
  ['fromKey', 'from'],
  ['toKey', 'to'],
  ['key', 'key'],
  ['txId', 'tx'],
  ['blockNum', 'block'],
];

const ICON: Record<TrapNotification['severity'], string> = {
  critical: '\u{1F6A8}',
  warning: '\u26A0\uFE0F',
  info: '\u2705',
};

/**
 * The Telegram message for a notification: an icon and the title in bold, the text, then the full keys, tx id and
 * block as copyable code, every piece escaped for `mode`.
 *
 * @example
 * renderTelegramMessage(notification, 'HTML');
 * // '🚨 <b>witness-trap: alice key switch FAILED</b>\nwitness-trap alice: key switch ...\nfrom: <code>STM6...</code>'
 */
export function renderTelegramMessage(notification: TrapNotification, mode: TelegramParseMode): string {
  const m = MARKUP[mode];
  const details: string[] = [];
  for (const [fact, label] of DETAIL_LABELS) {
    const value = notification.facts[fact];
    if (value !== undefined && value !== '') details.push(`${m.text(`${label}: `)}${m.code(String(value))}`);
  }
  const head = (title: string, text: string) => [`${ICON[notification.severity]} ${m.bold(title)}`, m.text(text)];
  let lines = [...head(notification.title, notification.text), ...details];
  const over = visibleLength(lines.join('\n'), mode) - TELEGRAM_TEXT_LIMIT;
  if (over > 0) {
    // formatNotification keeps title and text short; a notification made by hand may not. Cut the text (and a title
    // over 256 characters) rather than lose the message: the keys below stay whole.
    const title = clip(notification.title, 256);
    const saved = notification.title.length - title.length;
    const max = Math.max(0, notification.text.length - Math.max(0, over - saved));
    lines = [...head(title, clip(notification.text, max)), ...details];
  }
  const tried = notification.facts.triedKeys;
  if (typeof tried !== 'string' || tried === '') return lines.join('\n');
  const keys = tried.split(',').map((key) => key.trim());
  // Telegram refuses a text over 4096 characters after entity parsing: list as many keys as fit, and say how many
  // were left out.
  for (let shown = keys.length; shown >= 0; shown--) {
    const left = keys.length - shown;
    const text = [
      ...lines,
      m.text('tried:'),
      ...keys.slice(0, shown).map((key) => m.code(key)),
      ...(left > 0 ? [m.text(`... and ${left} more`)] : []),
    ].join('\n');
    if (visibleLength(text, mode) <= TELEGRAM_TEXT_LIMIT) return text;
  }
  return lines.join('\n');
}

/** The Bot API's limit on a message's text, after entity parsing. */
export const TELEGRAM_TEXT_LIMIT = 4096;

/** The length Telegram counts: the text after its markup is parsed (tags and escapes gone), in UTF-16 units. */
function visibleLength(text: string, mode: TelegramParseMode): number {
  if (mode === 'HTML') {
    return text.replace(/<[^>]*>/g, '').replace(/&(lt|gt|amp|quot|#\d+);/g, '_').length;
  }
  if (mode === 'MarkdownV2') return text.replace(/\\(.)|[*`]/gs, (_, escaped?: string) => escaped ?? '').length;
  return text.length;
}

interface Markup {
  text(value: string): string;
  bold(value: string): string;
  code(value: string): string;
}

const MARKUP: Record<TelegramParseMode, Markup> = {
  HTML: {
    text: escapeHtml,
    bold: (value) => `<b>${escapeHtml(value)}</b>`,
    code: (value) => `<code>${escapeHtml(value)}</code>`,
  },
  MarkdownV2: {
    text: escapeMarkdownV2,
    bold: (value) => `*${escapeMarkdownV2(value)}*`,
    // Inside code entities only ` and \ must be escaped.
    code: (value) => `\`${value.replace(/[`\\]/g, (c) => `\\${c}`)}\``,
  },
  plain: { text: (value) => value, bold: (value) => value, code: (value) => value },
};

/** Escapes text for Telegram's HTML parse mode: `&`, `<` and `>` become entities. */
export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes text for Telegram's MarkdownV2: every one of `_*[]()~\`>#+-=|{}.!` and `\` gets a backslash. */
export function escapeMarkdownV2(value: string): string {
  return value.replace(/[_*[\]()~`>#+\-=|{}.!\\]/g, (c) => `\\${c}`);
}
