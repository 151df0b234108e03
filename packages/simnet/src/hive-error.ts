/**
 * A rejection as hived reports it: JSON-RPC `error.code` -32003 (every transaction rejection derives from
 * `fc::assert_exception`, which hived's json_rpc plugin answers with -32003), a message, and `data` with the fc exception's `code`, `name`,
 * `message` and `stack`. Clients (and the trap) match on `data.name`; dhive builds its error message from
 * `stack[0].format`.
 */
export class HiveError extends Error {
  /** fc exception code, e.g. 3040000. */
  readonly dataCode: number;
  /** fc exception name, e.g. `tx_missing_other_auth`. */
  readonly dataName: string;
  /** JSON-RPC error code. */
  readonly rpcCode: number;
  /** The specific reason (hived's assertion text). */
  readonly detail: string;
  /** The rejected transaction's id, where it could be decoded. */
  txId: string | undefined;
  readonly #data: FcException;

  constructor(kind: HiveErrorKind, detail: string, facts: Record<string, unknown> = {}) {
    const spec = HIVE_ERRORS[kind];
    const data: FcException = {
      code: spec.code,
      name: spec.name,
      message: spec.description,
      stack: [
        {
          context: { level: 'error', file: 'simnet', line: 0, method: 'push_transaction', hostname: '', timestamp: '' },
          format: detail,
          data: facts,
        },
      ],
    };
    super(`${spec.description}: ${detail}`);
    this.name = 'HiveError';
    this.dataCode = spec.code;
    this.dataName = spec.name;
    this.detail = detail;
    // hived 1.28: every transaction rejection derives from fc::assert_exception, which json_rpc answers with -32003
    this.rpcCode = -32003;
    this.#data = data;
  }

  /** Wraps an fc exception as wax reports it (the JSON of hived's own exception). */
  static fromFc(fc: FcException): HiveError {
    const known = Object.entries(HIVE_ERRORS).find(([, spec]) => spec.code === fc.code)?.[0] as
      | HiveErrorKind
      | undefined;
    const detail = fc.stack?.[0]?.format ?? fc.message;
    const error = new HiveError(known ?? 'assert', detail);
    error.#data.code = fc.code;
    error.#data.name = fc.name;
    error.#data.message = fc.message;
    if (Array.isArray(fc.stack)) error.#data.stack = fc.stack;
    (error as { dataCode: number }).dataCode = fc.code;
    (error as { dataName: string }).dataName = fc.name;
    return error;
  }

  /** The JSON-RPC `error` object. */
  toRpcError(): { code: number; message: string; data: FcException } {
    return {
      code: this.rpcCode,
      message: `${this.#data.message}:${this.detail}`,
      data: this.#data,
    };
  }
}

/** An fc exception in JSON, as hived and wax write it. */
export interface FcException {
  code: number;
  name: string;
  message: string;
  stack: Array<{ context?: Record<string, unknown>; format: string; data?: Record<string, unknown> }>;
}

/** The fc exceptions the simnet raises, with hived's codes and names. */
export const HIVE_ERRORS = {
  assert: { code: 10, name: 'assert_exception', description: 'Assert Exception' },
  missingActive: { code: 3010000, name: 'tx_missing_active_auth', description: 'missing required active authority' },
  missingOwner: { code: 3020000, name: 'tx_missing_owner_auth', description: 'missing required owner authority' },
  missingPosting: { code: 3030000, name: 'tx_missing_posting_auth', description: 'missing required posting authority' },
  missingOther: { code: 3040000, name: 'tx_missing_other_auth', description: 'missing required other authority' },
  irrelevantSig: { code: 3050000, name: 'tx_irrelevant_sig', description: 'irrelevant signature included' },
  duplicateSig: { code: 3060000, name: 'tx_duplicate_sig', description: 'duplicate signature included' },
  expiration: {
    code: 4030100,
    name: 'transaction_expiration_exception',
    description: 'transaction expiration exception',
  },
  tapos: { code: 4030200, name: 'transaction_tapos_exception', description: 'transaction tapos exception' },
  notEnoughRc: { code: 4100100, name: 'not_enough_rc_exception', description: 'not enough RC' },
  parse: { code: 4, name: 'parse_error_exception', description: 'Parse Error' },
} as const;

/** A kind of hived exception. */
export type HiveErrorKind = keyof typeof HIVE_ERRORS;
