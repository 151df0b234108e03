/**
 * Faults an API endpoint can be told to have, the ways real public API nodes misbehave. Each endpoint has its own
 * list; randomness (error rates) comes from a generator seeded per endpoint, so a run can be repeated.
 */

/** Methods a per-request fault applies to; absent = every method. */
interface MethodFilter {
  /** Method names (`condenser_api.get_block`, ...) the fault applies to. @default every method */
  methods?: string[];
}

/** Every answer is delayed (real time: it is the network, not the chain). */
export interface LatencyFault extends MethodFilter {
  kind: 'latency';
  /** Added delay, ms. */
  ms: number;
  /** Extra random delay up to this, ms. @default 0 */
  jitterMs?: number;
}

/** A share of requests fail. */
export interface ErrorRateFault extends MethodFilter {
  kind: 'error-rate';
  /** 0..1. @default 1 */
  rate?: number;
  /**
   * How they fail: HTTP 500 or 503 with a text body, or a JSON-RPC error body (-32603 internal, -32000 server).
   * @default 'http-503'
   */
  response?: 'http-500' | 'http-503' | 'rpc-internal' | 'rpc-server';
}

/** The endpoint serves the whole state as it was when the fault was injected; broadcasts are checked against that state and never reach the chain. */
export interface FrozenHeadFault {
  kind: 'frozen-head';
}

/** The port closes: connections are refused (open ones are destroyed). */
export interface RefuseConnectionsFault {
  kind: 'refuse-connections';
}

/**
 * A dead host that blackholes: the connection is accepted and nothing ever answers (requests hang until the
 * client's own timeout). What a real dead server often does, unlike a refused connection, which fails at once.
 */
export interface BlackholeFault {
  kind: 'blackhole';
}

/** Broadcasts are accepted (they reach the chain) but never answered. */
export interface HangBroadcastsFault {
  kind: 'hang-broadcasts';
}

/** Broadcasts are answered `{}` but silently dropped: they never reach the chain. */
export interface DropBroadcastsFault {
  kind: 'drop-broadcasts';
}

/**
 * Broadcasts are checked and accepted into this endpoint's own pending pool (answered as a normal accept), but never
 * relayed: they never reach a block, and fall out of the pool at their expiration. Like a node cut off from the
 * block producers. With the simnet's `readsIncludePending`, this endpoint's witness reads show them applied.
 */
export interface WithholdBroadcastsFault {
  kind: 'withhold-broadcasts';
}

/**
 * Broadcasts are refused as hived's resource-credit check refuses them when the signing account has too little RC:
 * `not_enough_rc_exception` (fc code 4100100). Nothing reaches the chain. Reads are unaffected.
 */
export interface NotEnoughRcFault {
  kind: 'not-enough-rc';
}

/** The connection is reset in the middle of the response. */
export interface ResetConnectionFault extends MethodFilter {
  kind: 'reset-connection';
  /** 0..1. @default 1 */
  rate?: number;
}

/** A proxy's HTML error page instead of JSON. */
export interface HtmlErrorFault extends MethodFilter {
  kind: 'html-error';
  /** @default 502 */
  status?: number;
  /** 0..1. @default 1 */
  rate?: number;
}

/** The endpoint lies: a head far ahead of the chain, and witness objects that disagree with it. */
export interface LyingHeadFault {
  kind: 'lying-head';
  /** Added to `head_block_number`. @default 1000 */
  aheadBlocks?: number;
  /** Reported as every witness's `signing_key`. @default the null key */
  signingKey?: string;
  /** Added to every witness's `total_missed`. @default 0 */
  totalMissedDelta?: number;
}

/**
 * The endpoint lies about what decides a switch, consistently enough to pass format checks: a witness's
 * `signing_key`, `total_missed`, `last_aslot`, and (with `headShiftBlocks`) a head moved with its `current_aslot`,
 * `time` and `head_block_id` so that the number, slot, time and id still agree with each other. At least one lie.
 */
export interface LyingWitnessFault {
  kind: 'lying-witness';
  /** Only this witness's object lies. @default every witness */
  witness?: string;
  /** Reported as the `signing_key`. @default the real one */
  signingKey?: string;
  /** Added to `total_missed` (e.g. +1: a miss that did not happen). @default 0 */
  totalMissedDelta?: number;
  /** Added to `last_aslot` (e.g. -21: its last block a round earlier than it was). @default 0 */
  lastAslotDelta?: number;
  /** Blocks added to the head (negative: behind), with aslot, time and id moved to match. @default 0 */
  headShiftBlocks?: number;
}

/** A fault an endpoint can have. */
export type Fault =
  | LatencyFault
  | ErrorRateFault
  | FrozenHeadFault
  | RefuseConnectionsFault
  | BlackholeFault
  | HangBroadcastsFault
  | DropBroadcastsFault
  | WithholdBroadcastsFault
  | NotEnoughRcFault
  | ResetConnectionFault
  | HtmlErrorFault
  | LyingHeadFault
  | LyingWitnessFault;

/** The kinds of fault. */
export const FAULT_KINDS = [
  'latency',
  'error-rate',
  'frozen-head',
  'refuse-connections',
  'blackhole',
  'hang-broadcasts',
  'drop-broadcasts',
  'withhold-broadcasts',
  'not-enough-rc',
  'reset-connection',
  'html-error',
  'lying-head',
  'lying-witness',
] as const satisfies ReadonlyArray<Fault['kind']>;

/** Thrown for a fault description that is not one. */
export class InvalidFaultError extends Error {
  override readonly name = 'InvalidFaultError';
}

const rate01 = (value: unknown, field: string): void => {
  if (value !== undefined && (typeof value !== 'number' || !(value >= 0 && value <= 1)))
    throw new InvalidFaultError(`${field} must be a number from 0 to 1`);
};
const nonNegative = (value: unknown, field: string, required = false): void => {
  if ((required || value !== undefined) && (typeof value !== 'number' || !Number.isFinite(value) || value < 0))
    throw new InvalidFaultError(`${field} must be a non-negative number`);
};

/** Checks a fault description (from the API or from JSON). Throws `InvalidFaultError`. */
export function parseFault(value: unknown): Fault {
  if (!value || typeof value !== 'object') throw new InvalidFaultError('a fault must be an object with a kind');
  const fault = value as Record<string, unknown>;
  if (!FAULT_KINDS.includes(fault.kind as Fault['kind']))
    throw new InvalidFaultError(`unknown fault kind; expected one of ${FAULT_KINDS.join(', ')}`);
  if (
    fault.methods !== undefined &&
    !(Array.isArray(fault.methods) && fault.methods.every((m) => typeof m === 'string'))
  )
    throw new InvalidFaultError('methods must be a list of method names');
  switch (fault.kind) {
    case 'latency':
      nonNegative(fault.ms, 'ms', true);
      nonNegative(fault.jitterMs, 'jitterMs');
      break;
    case 'error-rate':
      rate01(fault.rate, 'rate');
      if (
        fault.response !== undefined &&
        !['http-500', 'http-503', 'rpc-internal', 'rpc-server'].includes(String(fault.response))
      )
        throw new InvalidFaultError('response must be http-500, http-503, rpc-internal or rpc-server');
      break;
    case 'reset-connection':
      rate01(fault.rate, 'rate');
      break;
    case 'html-error':
      rate01(fault.rate, 'rate');
      if (
        fault.status !== undefined &&
        !(Number.isInteger(fault.status) && Number(fault.status) >= 400 && Number(fault.status) <= 599)
      )
        throw new InvalidFaultError('status must be an HTTP error status');
      break;
    case 'lying-head':
      nonNegative(fault.aheadBlocks, 'aheadBlocks');
      if (fault.signingKey !== undefined && typeof fault.signingKey !== 'string')
        throw new InvalidFaultError('signingKey must be a key');
      if (fault.totalMissedDelta !== undefined && !Number.isInteger(fault.totalMissedDelta))
        throw new InvalidFaultError('totalMissedDelta must be an integer');
      break;
    case 'lying-witness': {
      if (fault.witness !== undefined && (typeof fault.witness !== 'string' || fault.witness.length > 16))
        throw new InvalidFaultError('witness must be an account name');
      if (
        fault.signingKey !== undefined &&
        !(typeof fault.signingKey === 'string' && fault.signingKey.startsWith('STM'))
      )
        throw new InvalidFaultError('signingKey must be a public key (STM...)');
      for (const field of ['totalMissedDelta', 'lastAslotDelta', 'headShiftBlocks'] as const)
        if (fault[field] !== undefined && !(Number.isInteger(fault[field]) && Math.abs(Number(fault[field])) <= 1e6))
          throw new InvalidFaultError(`${field} must be an integer`);
      const lies = ['signingKey', 'totalMissedDelta', 'lastAslotDelta', 'headShiftBlocks'].filter(
        (field) => fault[field] !== undefined && fault[field] !== 0,
      );
      if (lies.length === 0)
        throw new InvalidFaultError(
          'a lying-witness fault must lie about something: signingKey, totalMissedDelta, lastAslotDelta or headShiftBlocks',
        );
      break;
    }
    default:
      break;
  }
  // (checked for the kinds added with the hostile defaults; older kinds keep tolerating extra fields)
  const fields = STRICT_FIELDS[fault.kind as string];
  const unknown = fields ? Object.keys(fault).filter((field) => !fields.includes(field)) : [];
  if (unknown.length > 0)
    throw new InvalidFaultError(`unknown field(s) for ${String(fault.kind)}: ${unknown.join(', ')}`);
  return { ...fault } as unknown as Fault;
}

const STRICT_FIELDS: Record<string, string[]> = {
  blackhole: ['kind'],
  'lying-witness': ['kind', 'witness', 'signingKey', 'totalMissedDelta', 'lastAslotDelta', 'headShiftBlocks'],
};

/** Whether a per-request fault applies to `method`. */
export function faultApplies(fault: Fault, method: string | undefined): boolean {
  const methods = (fault as MethodFilter).methods;
  return methods === undefined || (method !== undefined && methods.includes(method));
}

/** A small seeded generator (mulberry32): the same seed gives the same sequence of faults. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
