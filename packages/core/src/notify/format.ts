import type { NotificationKind, TrapNotification } from '../types.js';

/** The facts behind a notification, as the trap passes them (see {@link formatNotification} for each kind's). */
export type NotificationFacts = Record<string, string | number | boolean | undefined>;

/** What {@link formatNotification} needs. */
export interface FormatNotificationInput {
  kind: NotificationKind;
  /** The witness account. */
  witness: string;
  /** The facts of this kind of news; missing ones are left out of the wording, never invented. */
  facts: NotificationFacts;
  /**
   * Local time of the news, epoch ms.
   * @default Date.now()
   */
  at?: number;
}

/** The longest title {@link formatNotification} produces, in characters. */
export const NOTIFICATION_TITLE_MAX = 60;
/** The longest text {@link formatNotification} produces, in characters: two GSM-7 SMS segments (2 x 153). */
export const NOTIFICATION_TEXT_MAX = 300;

/** The longest error message quoted in a text: the rest of the story must still fit. */
const ERROR_QUOTE_MAX = 110;

/**
 * Shortens a public key for a short message: `STM6LLegbAgLAy28EHrffBVuANFWcFgmqRMW13wBmTExqFE9SCkg4` becomes
 * `STM6LLeg...SCkg4`. ASCII dots, not an ellipsis character, so that an SMS stays in the GSM-7 alphabet.
 *
 * @example
 * shortKey('STM6LLegbAgLAy28EHrffBVuANFWcFgmqRMW13wBmTExqFE9SCkg4'); // 'STM6LLeg...SCkg4'
 */
export function shortKey(key: string): string {
  if (key.length <= 16) return key;
  return `${key.slice(0, 8)}...${key.slice(-5)}`;
}

/** Shortens a transaction id (40 hex characters) to its first 8, enough to find it in a block explorer. */
export function shortTxId(txId: string): string {
  return txId.length <= 12 ? txId : txId.slice(0, 8);
}

/**
 * Turns one piece of news from the trap into the message every notifier sends: a title (<= 60 characters), a
 * self-contained plain-text `text` (<= 300 characters, ASCII, keys and tx ids shortened, so that it fits two SMS
 * segments), a severity, and a `dedupeKey` (same key = same news). The full facts travel along in `facts` for
 * notifiers that format their own.
 *
 * Wording rule: only `confirmed` says "switched". `fired` says a switch was broadcast and is not yet confirmed.
 *
 * Facts by kind (all optional; the trap passes what it has):
 * - `fired`: `fromKey`, `toKey`, `aslot` (the missed slot), `misses`, `txId`, `operation`, `reason`
 * - `confirmed`: `fromKey`, `toKey`, `blockNum`, `txId`, `byPeer`, `elapsedMs`
 * - `unconfirmed`: `fromKey`, `toKey`, `txId`, `expiresAt`
 * - `abandoned`: `fromKey`, `toKey`, `attempts`, `reason`
 * - `failed`: `fromKey`, `toKey`, `attempts`, `error` (a message, never a secret)
 * - `exhausted`: `triedKeys` (comma-separated), `killSwitch`
 * - `recovered`: `blockNum`, `key`
 * - `stopped`: `reason` (`confirmed`, `requested`, `failed`, `exhausted`, `error`), `error`
 * - `test`: none
 *
 * Severity: `failed`, `unconfirmed`, `exhausted` and a `stopped` whose reason is not `confirmed` or `requested` are `critical`;
 * `fired` is `warning`; the rest `info`.
 *
 * Duplicate keys name the news, so that a repeat of the same news is dropped and different news never is: `fired` by
 * witness, key pair and the missed slot where known (a re-signed retry of one switch is the same news; a second
 * switch between the same keys, for a later miss, is not); `failed` by key pair; `confirmed` by the switch, i.e. the
 * transaction id (or, for a switch made by someone else, key pair and the block it was seen in), so that a genuine
 * second switch to the same key is told; `unconfirmed` by the transaction id; `abandoned` by key pair; `exhausted` by whether
 * the kill switch is set; `recovered` by the key;
 * `stopped` by the reason; `test` by time (every test message is news).
 *
 * @example
 * const n = formatNotification({
 *   kind: 'confirmed',
 *   witness: 'alice',
 *   facts: { fromKey: 'STM6LLegbAgLAy28EHrffBVuANFWcFgmqRMW13wBmTExqFE9SCkg4', toKey: 'STM5...', blockNum: 91234567 },
 * });
 * n.title; // 'witness-trap: alice switched to backup key'
 */
export function formatNotification(input: FormatNotificationInput): TrapNotification {
  const { kind, witness, facts } = input;
  const at = input.at ?? Date.now();
  const wording = WORDING[kind](witness, facts, at);
  return {
    kind,
    severity: wording.severity,
    witness,
    title: clamp(wording.title, NOTIFICATION_TITLE_MAX),
    text: clamp(wording.text, NOTIFICATION_TEXT_MAX),
    at,
    dedupeKey: [kind, witness, ...wording.dedupe].join(':'),
    facts: { ...facts },
  };
}

interface Wording {
  severity: TrapNotification['severity'];
  title: string;
  text: string;
  /** What, beside kind and witness, makes this news distinct. */
  dedupe: Array<string | number>;
}

const WORDING: Record<NotificationKind, (witness: string, facts: NotificationFacts, at: number) => Wording> = {
  fired: (witness, f) => {
    const slot = f.aslot === undefined ? 'a slot' : `slot ${f.aslot}`;
    const misses = typeof f.misses === 'number' && f.misses > 1 ? ` (${f.misses} misses)` : '';
    const why = f.reason !== undefined && f.reason !== 'missed' ? ` Reason: ${f.reason}.` : '';
    const tx = f.txId === undefined ? '' : `, tx ${shortTxId(String(f.txId))}`;
    const op = f.operation === undefined ? '' : ` via ${f.operation}`;
    return {
      severity: 'warning',
      title: `witness-trap: ${witness} missed a block, switching key`,
      text:
        `witness-trap ${witness}: missed ${slot}${misses}.${why} Broadcast key switch ` +
        `${keyPair(f)}${op}${tx}. NOT yet confirmed on chain; another message follows.`,
      dedupe: [key(f.fromKey), key(f.toKey), ...(f.aslot === undefined ? [] : [String(f.aslot)])],
    };
  },
  confirmed: (witness, f) => {
    const where = f.blockNum === undefined ? 'on chain' : `on chain in block ${f.blockNum}`;
    const tx = f.txId === undefined ? '' : ` tx ${shortTxId(String(f.txId))}.`;
    const took = typeof f.elapsedMs === 'number' ? ` ${(f.elapsedMs / 1000).toFixed(1)} s after trigger.` : '';
    const peer = f.byPeer === true ? ' Switched by another trap instance or by hand; adopted.' : '';
    return {
      severity: 'info',
      title: `witness-trap: ${witness} switched to backup key`,
      text:
        `witness-trap ${witness}: switched, confirmed ${where}. Signing key now ${key(f.toKey)}` +
        `${f.fromKey === undefined ? '' : ` (was ${key(f.fromKey)})`}.${tx}${took}${peer}`,
      dedupe: f.txId === undefined ? [key(f.fromKey), key(f.toKey), `block ${f.blockNum ?? '?'}`] : [`tx ${f.txId}`],
    };
  },
  unconfirmed: (witness, f) => {
    const tx = f.txId === undefined ? '' : ` tx ${shortTxId(String(f.txId))}`;
    return {
      severity: 'critical',
      title: `witness-trap: ${witness} switch UNCONFIRMED`,
      text:
        `witness-trap ${witness}: key switch ${keyPair(f)}${tx} expired and the chain could not be read to tell ` +
        'if it landed. Still checking; check your RPC nodes and the witness now.',
      dedupe: [`tx ${f.txId ?? '?'}`],
    };
  },
  abandoned: (witness, f) => {
    const why = typeof f.reason === 'string' && f.reason !== '' ? ` ${f.reason}.` : '';
    return {
      severity: 'warning',
      title: `witness-trap: ${witness} key switch called off`,
      text:
        `witness-trap ${witness}: key switch ${keyPair(f)} called off, the key was not changed.${why} ` +
        'Chain still shows the old key; still watching.',
      dedupe: [key(f.fromKey), key(f.toKey)],
    };
  },
  failed: (witness, f) => {
    const attempts = f.attempts === undefined ? '' : ` after ${f.attempts} attempt${f.attempts === 1 ? '' : 's'}`;
    return {
      severity: 'critical',
      title: `witness-trap: ${witness} key switch FAILED`,
      text:
        `witness-trap ${witness}: key switch ${keyPair(f)} did NOT land${attempts}` +
        `${errorQuote(f.error)}. Chain still shows the old key. Act now.`,
      dedupe: [key(f.fromKey), key(f.toKey)],
    };
  },
  exhausted: (witness, f) => {
    const tried = typeof f.triedKeys === 'string' && f.triedKeys !== '' ? f.triedKeys.split(',') : [];
    const triedText = tried.length === 0 ? '' : ` Tried: ${tried.map((k) => shortKey(k.trim())).join(', ')}.`;
    const kill =
      f.killSwitch === true
        ? ' Kill switch: null key set, witness disabled.'
        : ' Kill switch off: witness still scheduled, missing blocks.';
    return {
      severity: 'critical',
      title: `witness-trap: ${witness} has no usable backup key left`,
      text: `witness-trap ${witness}: every backup key failed or is unusable.${triedText}${kill} Act now.`,
      dedupe: [f.killSwitch === true ? 'kill' : 'no-kill'],
    };
  },
  recovered: (witness, f) => {
    const block = f.blockNum === undefined ? 'a block' : `block ${f.blockNum}`;
    return {
      severity: 'info',
      title: `witness-trap: ${witness} is producing blocks again`,
      text: `witness-trap ${witness}: produced ${block} again${f.key === undefined ? '' : ` with key ${key(f.key)}`}.`,
      dedupe: [key(f.key)],
    };
  },
  stopped: (witness, f) => {
    const reason = f.reason === undefined ? 'unknown' : String(f.reason);
    const expected = reason === 'confirmed' || reason === 'requested';
    return {
      severity: expected ? 'info' : 'critical',
      title: `witness-trap: ${witness} trap stopped (${reason})`,
      text:
        `witness-trap ${witness}: the trap stopped (${reason})${errorQuote(f.error)}.` +
        (expected ? '' : ' It is NOT watching the witness. Act now.'),
      dedupe: [reason],
    };
  },
  test: (witness, _f, at) => ({
    severity: 'info',
    title: `witness-trap: test message for ${witness}`,
    text: `witness-trap ${witness}: test message. If you read this, alerts reach you. No key was changed.`,
    dedupe: [at],
  }),
};

function key(value: string | number | boolean | undefined): string {
  return value === undefined ? '?' : shortKey(String(value));
}

function keyPair(f: NotificationFacts): string {
  return `${key(f.fromKey)} -> ${key(f.toKey)}`;
}

function errorQuote(error: string | number | boolean | undefined): string {
  if (error === undefined || error === '') return '';
  return `: ${clamp(String(error).replace(/\s+/g, ' ').trim(), ERROR_QUOTE_MAX)}`;
}

function clamp(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}
