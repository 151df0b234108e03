import type { TrapNotification } from '@witness-trap/core';

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
  const lines = [`${ICON[notification.severity]} ${m.bold(notification.title)}`, m.text(notification.text)];
  for (const [fact, label] of DETAIL_LABELS) {
    const value = notification.facts[fact];
    if (value !== undefined && value !== '') lines.push(`${m.text(`${label}: `)}${m.code(String(value))}`);
  }
  const tried = notification.facts.triedKeys;
  if (typeof tried === 'string' && tried !== '') {
    lines.push(m.text('tried:'), ...tried.split(',').map((key) => m.code(key.trim())));
  }
  return lines.join('\n');
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
