/**
 * A chain client whose answers a test sets directly (head, witness, schedule, headers), for the watcher's edge
 * cases that a running chain does not produce on demand: a lagging witness read, a shuffle delayed by a miss.
 * It implements the real ChainClient contract; nothing is mocked.
 */
import { StaleDataError } from '../../src/errors.js';
import type {
  BlockHeaderInfo,
  BroadcastResult,
  ChainClient,
  HeadState,
  NodeStatus,
  Observation,
  WitnessSchedule,
  WitnessState,
} from '../../src/types.js';

export class ScriptedChain implements ChainClient {
  readonly chainId = 'ab'.repeat(32);
  head: HeadState;
  witness: WitnessState | null;
  schedule: WitnessSchedule;
  headers = new Map<number, BlockHeaderInfo>();
  /** Witness answers to give before falling back to `witness`, one per read. */
  witnessAnswers: WitnessState[] = [];
  /** While true, every decisive read fails as a stale node would. */
  stale = false;
  readonly reads: string[] = [];

  constructor(init: { head: HeadState; witness: WitnessState; schedule: WitnessSchedule }) {
    this.head = init.head;
    this.witness = init.witness;
    this.schedule = init.schedule;
  }

  #answer<T>(what: string, value: T): Promise<Observation<T>> {
    this.reads.push(what);
    if (this.stale) return Promise.reject(new StaleDataError('no fresh node'));
    return Promise.resolve({ value: structuredClone(value), node: 'scripted', receivedAt: 0 });
  }

  /** Called at every head read, before it is answered (a test may move `head` there). */
  onHeadRead: (() => void) | undefined;
  getHead() {
    this.onHeadRead?.();
    return this.#answer('head', this.head);
  }
  getWitness() {
    return this.#answer('witness', this.witnessAnswers.shift() ?? this.witness);
  }
  getSchedule() {
    return this.#answer('schedule', this.schedule);
  }
  getBlockHeader(blockNum: number) {
    return this.#answer('header', this.headers.get(blockNum) ?? null);
  }
  getAccount() {
    return this.#answer('account', null);
  }
  async getBlockInterval() {
    return 3000;
  }
  async broadcast(): Promise<BroadcastResult> {
    throw new Error('the scripted chain takes no broadcasts');
  }
  /** What `nodes()` answers: set it to make the watcher see a degraded node set. */
  nodeList: NodeStatus[] = [];
  nodes() {
    return this.nodeList;
  }
}
