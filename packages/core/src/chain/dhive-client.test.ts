import { PrivateKey } from '@hiveio/dhive';
import { afterEach, describe, expect, it } from 'vitest';
import {
  blockIdOf,
  type FakeHivedNode,
  hiveTime,
  manualClock,
  startFakeHivedNode,
  witnessJson,
} from '../../test/fake-hived-node.js';
import {
  BroadcastRejectedError,
  ConfigError,
  DisagreementError,
  RpcError,
  StaleDataError,
  TimeoutError,
} from '../errors.js';
import { wifKeyRing } from '../signer/wif-key-ring.js';
import { buildSwitchOperation } from '../tx/switch-operation.js';
import { buildTransaction, transactionId } from '../tx/transaction.js';
import type { SignedTransaction } from '../types.js';
import { type DhiveChainClient, type DhiveChainClientOptions, dhiveChainClient } from './dhive-client.js';

const CHAIN_ID = 'ab'.repeat(32);
const KEY_A = PrivateKey.fromSeed('client test key a');
const KEY_B = PrivateKey.fromSeed('client test key b');
const PUB_A = KEY_A.createPublic().toString();
const PUB_B = KEY_B.createPublic().toString();

let clock = manualClock();
let nodes: FakeHivedNode[] = [];
let clients: DhiveChainClient[] = [];

afterEach(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await Promise.all(nodes.map((node) => node.close()));
  nodes = [];
  clients = [];
  clock = manualClock();
});

/** n fake nodes at head 1000, one second old, each knowing alice with key A. */
async function setup(count: number, options: Partial<DhiveChainClientOptions> = {}) {
  const started = await Promise.all(Array.from({ length: count }, () => startFakeHivedNode(clock)));
  for (const node of started) {
    node.head = { number: 1000, time: clock.now() - 1000 };
    node.witnesses.alice = witnessJson('alice', PUB_A);
  }
  nodes.push(...started);
  const client = dhiveChainClient({
    nodes: started.map((node) => node.url),
    chainId: CHAIN_ID,
    clock,
    timeoutMs: 300,
    ...options,
  });
  clients.push(client);
  return { nodes: started, client };
}

async function signedSwitch(): Promise<SignedTransaction> {
  const head = {
    headBlockNumber: 1000,
    headBlockId: blockIdOf(1000),
    headBlockTime: clock.now(),
    currentAslot: 1200,
    currentWitness: 'bob',
    lastIrreversibleBlockNum: 985,
  };
  const tx = buildTransaction(head, [buildSwitchOperation('alice', PUB_A, PUB_B)]);
  return wifKeyRing({ signingKeys: [KEY_A.toString()] }).sign(tx, [PUB_A], CHAIN_ID);
}

describe('dhiveChainClient configuration', () => {
  it('refuses no nodes, a URL that is not http(s), and a malformed chain id', () => {
    expect(() => dhiveChainClient({ nodes: [] })).toThrow(ConfigError);
    expect(() => dhiveChainClient({ nodes: ['https://api.example', 'ftp://x'] })).toThrow(/#2/);
    expect(() => dhiveChainClient({ nodes: ['not a url'] })).toThrow(ConfigError);
    expect(() => dhiveChainClient({ nodes: ['http://127.0.0.1:1'], chainId: 'beef' })).toThrow(ConfigError);
    expect(() => dhiveChainClient({ nodes: ['http://127.0.0.1:1'], timeoutMs: 0 })).toThrow(ConfigError);
  });

  it('never shows credentials or query parameters of a node URL', () => {
    const client = dhiveChainClient({ nodes: ['https://user:secret@api.example/rpc?apikey=hunter2'] });
    clients.push(client);
    const shown = JSON.stringify(client.nodes());
    expect(shown).not.toContain('secret');
    expect(shown).not.toContain('hunter2');
    expect(client.nodes()[0]?.url).toBe('https://api.example/rpc');
  });
});

describe('reading hived JSON', () => {
  it('parses the head (times without a zone, numbers as strings) and reports the node', async () => {
    const { nodes, client } = await setup(1);
    const head = await client.getHead();
    expect(head.value).toEqual({
      headBlockNumber: 1000,
      headBlockId: blockIdOf(1000),
      headBlockTime: clock.now() - 1000,
      currentAslot: 1200,
      currentWitness: 'bob',
      lastIrreversibleBlockNum: 985,
    });
    expect(head.node).toBe(nodes[0]?.url);
    expect(head.receivedAt).toBe(clock.now());
    const [status] = client.nodes();
    expect(status).toMatchObject({
      url: nodes[0]?.url,
      headBlockNumber: 1000,
      headAgeMs: 1000,
      fresh: true,
      failures: 0,
    });
    expect(status?.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('reads a witness, with assets in NAI form, and null for an account that is not a witness', async () => {
    const { nodes, client } = await setup(1);
    nodes[0]!.witnesses.alice = witnessJson('alice', PUB_A, {
      total_missed: '4294967296',
      props: {
        account_creation_fee: { amount: '3000', precision: 3, nai: '@@000000021' },
        maximum_block_size: 65536,
        hbd_interest_rate: 1500,
      },
    });
    const { value } = await client.getWitness('alice');
    expect(value).toEqual({
      owner: 'alice',
      url: 'https://example.com/alice',
      signingKey: PUB_A,
      totalMissed: 4294967296,
      lastAslot: 1202,
      lastConfirmedBlockNum: 1092,
      props: { accountCreationFee: '3.000 HIVE', maximumBlockSize: 65536, hbdInterestRate: 1500 },
      runningVersion: '1.28.3',
    });
    expect((await client.getWitness('nobody')).value).toBeNull();
  });

  it('reads the block interval in seconds from hived and in milliseconds or fractions from a simulated chain', async () => {
    const { nodes } = await setup(3);
    const answers = [3, 0.25, 250];
    nodes.forEach((node, i) => {
      node.handlers['condenser_api.get_config'] = () => ({ result: { HIVE_BLOCK_INTERVAL: answers[i] } });
    });
    const intervals = await Promise.all(
      nodes.map((node) => {
        const client = dhiveChainClient({ nodes: [node.url], clock });
        clients.push(client);
        return client.getBlockInterval();
      }),
    );
    expect(intervals).toEqual([3000, 250, 250]);
  });

  it("parses hived's JSON-RPC error into data.name and data.code", async () => {
    const { nodes, client } = await setup(1);
    nodes[0]!.handlers['condenser_api.get_witness_by_account'] = () => ({
      error: {
        code: -32003,
        message: 'Assert Exception:false: something hived did not like',
        data: { code: 10, name: 'assert_exception', message: 'Assert Exception', stack: [] },
      },
    });
    const error = await client.getWitness('alice').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({
      dataName: 'assert_exception',
      dataCode: 10,
      rpcCode: -32003,
      method: 'condenser_api.get_witness_by_account',
      node: nodes[0]?.url,
    });
  });

  it.each([
    ['an HTML error page', { http: 502, body: '<html><body>Bad Gateway</body></html>' }],
    ['JSON that is not JSON-RPC', { http: 200, body: '[1,2,3]', contentType: 'application/json' }],
    ['a witness without a signing key', { result: { ...witnessJson('alice', PUB_A), signing_key: undefined } }],
    [
      'a witness with a total_missed that is not a number',
      { result: witnessJson('alice', PUB_A, { total_missed: 'x' }) },
    ],
    ['another account', { result: witnessJson('mallory', PUB_A) }],
  ] as const)('turns %s into an RpcError, never a crash or a half-parsed object', async (_what, answer) => {
    const { nodes, client } = await setup(1);
    nodes[0]!.handlers['condenser_api.get_witness_by_account'] = () => answer;
    const error = await client.getWitness('alice').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe('RPC_BAD_ANSWER');
    expect(client.nodes()[0]?.failures).toBe(1);
  });
});

describe('failover and timeouts', () => {
  it('times out a hanging node, leaves no socket open on it, and fails over to the next', async () => {
    const { nodes, client } = await setup(2);
    nodes[0]!.handlers['condenser_api.get_witness_by_account'] = () => ({ hang: true });
    const { value, node } = await client.getWitness('alice');
    expect(value?.signingKey).toBe(PUB_A);
    expect(node).toBe(nodes[1]?.url);
    const [hung] = client.nodes();
    expect(hung?.failures).toBe(1);
    expect(hung?.lastError).toMatch(/longer than 300 ms/);
    await waitFor(() => nodes[0]!.openSockets() === 0);
  });

  it('throws a TimeoutError when the only node hangs', async () => {
    const { nodes, client } = await setup(1);
    nodes[0]!.handlers['condenser_api.get_dynamic_global_properties'] = () => ({ hang: true });
    await expect(client.getHead()).rejects.toBeInstanceOf(TimeoutError);
  });

  it('prefers the fresh node over one that answered junk before', async () => {
    const { nodes, client } = await setup(2);
    nodes[0]!.handlers['condenser_api.get_dynamic_global_properties'] = () => ({ http: 500, body: 'oops' });
    await client.getHead(); // node 0 fails, node 1 answers
    nodes[0]!.calls.length = 0;
    const { node } = await client.getHead();
    expect(node).toBe(nodes[1]?.url);
    expect(nodes[0]!.calls).toEqual([]);
  });

  it('sends again on a fresh connection when a kept-alive one turns out closed', async () => {
    const { nodes, client } = await setup(1);
    await client.getHead();
    nodes[0]!.dropReusedConnections = true;
    expect((await client.getHead()).value.headBlockNumber).toBe(1000);
    expect(client.nodes()[0]?.failures).toBe(0);
    expect(nodes[0]!.calls).toHaveLength(2);
  });

  it('fails with a typed error when a node refuses connections', async () => {
    const { nodes, client } = await setup(1);
    await nodes[0]!.close();
    nodes.length = 0;
    const error = await client.getHead().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe('RPC_UNREACHABLE');
    expect((error as RpcError).isRetryable).toBe(true);
  });
});

describe('freshness', () => {
  it('marks a node stale when its head block is older than the bound plus the clock-skew allowance', async () => {
    const { nodes, client } = await setup(1);
    expect(client.staleAfterMs).toBe(12_000);
    nodes[0]!.head.time = clock.now() - 12_000 - 60_000 - 1;
    await client.getHead();
    expect(client.nodes()[0]?.fresh).toBe(false);
    await expect(client.getHead({ decisive: true })).rejects.toBeInstanceOf(StaleDataError);
  });

  it('keeps an advancing node fresh when the host clock is 30 s off the chain either way', async () => {
    for (const skewMs of [30_000, -30_000]) {
      const { nodes, client } = await setup(1);
      nodes[0]!.head = { number: 1000, time: clock.now() - skewMs };
      await client.getHead({ decisive: true });
      clock.advance(3000);
      nodes[0]!.head = { number: 1001, time: clock.now() - skewMs };
      expect((await client.getHead({ decisive: true })).value.headBlockNumber).toBe(1001);
      expect(client.nodes()[0]?.fresh).toBe(true);
      await client.close();
    }
  });

  it('honours a tighter clock-skew allowance where the operator sets one', async () => {
    const { nodes, client } = await setup(1, { maxClockSkewMs: 1000 });
    nodes[0]!.head.time = clock.now() - 14_000;
    await expect(client.getHead({ decisive: true })).rejects.toBeInstanceOf(StaleDataError);
  });

  it('marks a node stale when its head stops advancing, and fresh again when it moves', async () => {
    const { nodes, client } = await setup(1);
    await client.getHead({ decisive: true });
    // The head time keeps up with the clock, but the block number never moves: a frozen node that lies about time.
    nodes[0]!.handlers['condenser_api.get_dynamic_global_properties'] = () => ({
      result: { ...dgpAt(1000, clock.now()) },
    });
    clock.advance(6000);
    await client.getHead({ decisive: true });
    clock.advance(7000);
    const error = await client.getHead({ decisive: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StaleDataError);
    expect((error as Error).message).toMatch(/not advanced/);
    // Unavailable, it is probed at most once per block interval: not again at once.
    await expect(client.getHead({ decisive: true })).rejects.toBeInstanceOf(StaleDataError);
    clock.advance(3000);
    nodes[0]!.handlers['condenser_api.get_dynamic_global_properties'] = () => ({
      result: dgpAt(1005, clock.now()),
    });
    expect((await client.getHead({ decisive: true })).value.headBlockNumber).toBe(1005);
    expect(client.nodes()[0]?.fresh).toBe(true);
  });

  it('does not trust a head from the future (a node that lies, or a local clock that is wrong)', async () => {
    const { nodes, client } = await setup(3);
    nodes[2]!.head = { number: 1010, time: clock.now() + 90_000 };
    const { value, node } = await client.getHead({ decisive: true });
    expect(value.headBlockNumber).toBe(1000);
    expect([nodes[0]?.url, nodes[1]?.url]).toContain(node);
    expect(client.nodes().map((n) => n.fresh)).toEqual([true, true, false]);
  });

  it('survives a freshness listener and a logger that throw, without blaming the node', async () => {
    const bug = (): never => {
      throw new Error('caller bug');
    };
    const { nodes, client } = await setup(2, {
      onNodesChange: bug,
      log: { debug: bug, info: bug, warn: bug, error: bug },
    });
    expect((await client.getHead({ decisive: true })).value.headBlockNumber).toBe(1000);
    expect(client.nodes()[0]).toMatchObject({ fresh: true, failures: 0 });
    nodes[0]!.handlers['condenser_api.get_witness_by_account'] = () => ({ hang: true });
    expect((await client.getWitness('alice')).node).toBe(nodes[1]?.url);
    expect((await client.broadcast(await signedSwitch())).acceptedBy).toHaveLength(1);
  });

  it('tells the caller about availability changes', async () => {
    const changes: boolean[][] = [];
    const { nodes, client } = await setup(2, { onNodesChange: (all) => changes.push(all.map((n) => n.available)) });
    await client.getHead({ decisive: true });
    expect(changes.at(-1)).toEqual([true, true]);
    const seen = changes.length;
    await client.getHead({ decisive: true });
    expect(changes).toHaveLength(seen); // nothing changed, nothing said
    nodes[1]!.head.time = clock.now() - 120_000;
    // The stale node is unavailable: the read decides on the other, and the change is told.
    expect((await client.getHead({ decisive: true })).node).toBe(nodes[0]?.url);
    expect(changes.slice(seen)).toEqual([[true, false]]);
    expect(client.nodes()[1]).toMatchObject({
      available: false,
      unavailableSince: clock.now(),
      unavailableReason: expect.stringMatching(/s old/),
    });
  });
});

describe('decisive reads', () => {
  it('answers from the only node when there is one', async () => {
    const { client } = await setup(1);
    expect((await client.getWitness('alice', { decisive: true })).value?.signingKey).toBe(PUB_A);
  });

  it('answers when two fresh nodes agree, and refuses (retryably) when they do not', async () => {
    const { nodes, client } = await setup(2);
    expect((await client.getWitness('alice', { decisive: true })).value?.signingKey).toBe(PUB_A);
    nodes[1]!.witnesses.alice = witnessJson('alice', PUB_B);
    const error = await client.getWitness('alice', { decisive: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DisagreementError);
    expect((error as DisagreementError).isRetryable).toBe(true);
  });

  it('with two nodes a block apart, answers the head both have reached: the lower one, never the higher alone', async () => {
    const { nodes, client } = await setup(2);
    nodes[0]!.head = { number: 1001, time: clock.now() };
    const lower = await client.getHead({ decisive: true });
    expect(lower.value.headBlockNumber).toBe(1000);
    expect(lower.node).toBe(nodes[1]?.url);
    expect(client.nodes().every((n) => n.fresh)).toBe(true);
    nodes[1]!.head = { number: 1001, time: clock.now() };
    clock.advance(200);
    expect((await client.getHead({ decisive: true })).value.headBlockNumber).toBe(1001);
  });

  it('a node claiming a head far ahead moves nothing: the head is what a quorum has reached', async () => {
    const { nodes, client } = await setup(3);
    nodes[0]!.head = { number: 50_000, time: clock.now() };
    nodes[1]!.head = { number: 1001, time: clock.now() };
    expect((await client.getHead({ decisive: true })).value.headBlockNumber).toBe(1001);
  });

  it('outvotes one lying node of three', async () => {
    const { nodes, client } = await setup(3);
    nodes[0]!.witnesses.alice = witnessJson('alice', PUB_B, { total_missed: 99 });
    const { value, node } = await client.getWitness('alice', { decisive: true });
    expect(value?.signingKey).toBe(PUB_A);
    expect([nodes[1]?.url, nodes[2]?.url]).toContain(node);
  });

  it('asks a node whose answer came first again when a later answer differs: a node behind has not caught up, it does not disagree', async () => {
    const { nodes, client } = await setup(2, { timeoutMs: 2000 });
    const [fast, slow] = nodes as [FakeHivedNode, FakeHivedNode];
    await client.getHead({ decisive: true });
    // A block lands between the fast node's answer and the slow one's: the fast one showed the state before it.
    slow.latencyMs = 150;
    let fastCalls = 0;
    fast.handlers['condenser_api.get_witness_by_account'] = () => {
      fastCalls++;
      return {
        result: fastCalls === 1 ? witnessJson('alice', PUB_A) : witnessJson('alice', PUB_A, { total_missed: 1 }),
      };
    };
    slow.witnesses.alice = witnessJson('alice', PUB_A, { total_missed: 1 });
    const { value } = await client.getWitness('alice', { decisive: true });
    expect(value?.totalMissed).toBe(1);
    expect(fastCalls).toBe(2);
  });

  it('still waits where the node asked again keeps disagreeing', async () => {
    const { nodes, client } = await setup(2, { timeoutMs: 2000 });
    const [fast, slow] = nodes as [FakeHivedNode, FakeHivedNode];
    await client.getHead({ decisive: true });
    slow.latencyMs = 150;
    slow.witnesses.alice = witnessJson('alice', PUB_A, { total_missed: 1 });
    const error = await client.getWitness('alice', { decisive: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DisagreementError);
    expect(fast.calls.filter((m) => m === 'condenser_api.get_witness_by_account')).toHaveLength(2);
  });

  it('answers with the majority of three when one lags a block behind', async () => {
    const { nodes, client } = await setup(3);
    for (const node of nodes.slice(0, 2)) node.head = { number: 1001, time: clock.now() };
    const { value } = await client.getHead({ decisive: true });
    expect(value.headBlockNumber).toBe(1001);
  });

  it('decides on the one available node of two once the other is unavailable, and says DEGRADED once per change', async () => {
    const warnings: string[] = [];
    const infos: string[] = [];
    const log = {
      debug: () => undefined,
      info: (message: string) => infos.push(message),
      warn: (message: string) => warnings.push(message),
      error: () => undefined,
    };
    const { nodes, client } = await setup(2, { log });
    const [healthy, bad] = [nodes[0]!, nodes[1]!];
    // Both available and contradicting: the read waits.
    bad.witnesses.alice = witnessJson('alice', PUB_A, { total_missed: 93, last_aslot: 1300 });
    await expect(client.getWitness('alice', { decisive: true })).rejects.toBeInstanceOf(DisagreementError);

    // The bad node answers every call with hived's lock error: unavailable, the healthy node decides alone.
    bad.handlers['condenser_api.get_witness_by_account'] = () => ({
      error: { code: -32003, message: 'Unable to acquire database lock' },
    });
    for (let i = 0; i < 4; i++) {
      expect((await client.getWitness('alice', { decisive: true })).value?.totalMissed).toBe(88);
      clock.advance(1000);
    }
    expect(client.nodes()[1]).toMatchObject({ available: false, unavailableReason: expect.stringMatching(/lock/) });
    // The stale node is unavailable too: the same.
    delete bad.handlers['condenser_api.get_witness_by_account'];
    bad.head.time = clock.now() - 120_000;
    healthy.head = { number: 1001, time: clock.now() };
    clock.advance(6000);
    expect((await client.getWitness('alice', { decisive: true })).node).toBe(healthy.url);
    expect(warnings.filter((w) => /DEGRADED/.test(w))).toHaveLength(1);
    expect(warnings.filter((w) => /quorum/.test(w))).toHaveLength(1);

    // Both available and agreeing again: the log says it is over.
    // (once its backoff is over: a node that kept failing is probed at most once per stale bound, 12 s here)
    clock.advance(13_000);
    bad.head = { number: 1002, time: clock.now() };
    healthy.head = { number: 1002, time: clock.now() };
    bad.witnesses.alice = witnessJson('alice', PUB_A);
    await client.getHead({ decisive: true });
    // The unavailable node is probed beside the read, never awaited: it counts again once its answer is in.
    await waitFor(() => client.nodes()[1]?.available === true);
    expect(infos.filter((m) => /no longer degraded/.test(m))).toHaveLength(1);
  });

  it('with minNodes 2, one node of two decides nothing: the other stale or failing makes the read wait', async () => {
    const { nodes, client } = await setup(2, { minNodes: 2 });
    nodes[1]!.handlers['condenser_api.get_witness_by_account'] = () => ({ hang: true });
    const error = await client.getWitness('alice', { decisive: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StaleDataError);
    expect((error as StaleDataError).isRetryable).toBe(true);
    expect((error as StaleDataError).details).toMatchObject({ needed: 2, configured: 2, minNodes: 2 });
    expect((error as Error).message).toMatch(/waiting for a quorum/);
    delete nodes[1]!.handlers['condenser_api.get_witness_by_account'];
    nodes[1]!.head.time = clock.now() - 120_000;
    clock.advance(1000);
    await expect(client.getWitness('alice', { decisive: true })).rejects.toBeInstanceOf(StaleDataError);
    expect(() => dhiveChainClient({ nodes: ['http://127.0.0.1:1'], minNodes: 2 })).toThrow(/minNodes/);
  });

  it('decides on the available nodes of five: two honest answers outvote one liar with two nodes down; minNodes 3 waits', async () => {
    const { nodes, client } = await setup(5);
    nodes[0]!.witnesses.alice = witnessJson('alice', PUB_A, { total_missed: 93 });
    for (const node of nodes.slice(1, 3)) node.head.time = clock.now() - 120_000;
    expect((await client.getWitness('alice', { decisive: true })).value?.totalMissed).toBe(88);
    const strict = dhiveChainClient({ nodes: nodes.map((n) => n.url), chainId: CHAIN_ID, clock, minNodes: 3 });
    clients.push(strict);
    const error = await strict.getWitness('alice', { decisive: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DisagreementError);
    expect((error as DisagreementError).details).toMatchObject({ needed: 3, configured: 5, available: 3 });
  });

  it('never counts a frozen node: a head stuck while another moves two blocks past it is unavailable after 2 blocks', async () => {
    const { nodes, client } = await setup(2);
    const [moving, frozen] = [nodes[0]!, nodes[1]!];
    await client.getHead({ decisive: true });
    for (let n = 1001; n <= 1003; n++) {
      clock.advance(3000);
      moving.head = { number: n, time: clock.now() };
      // The frozen node answers from a stale snapshot; its head time is still within the stale bound.
      await client.getHead({ decisive: true });
    }
    expect(client.nodes()[1]).toMatchObject({ available: false, unavailableReason: expect.stringMatching(/frozen/) });
    expect((await client.getHead({ decisive: true })).value.headBlockNumber).toBe(1003);
    expect(frozen.head.number).toBe(1000);
  });

  it('takes the head whole from one node: A #103 aslot 1001, B #104 aslot 1002, C #101 aslot 1050 never gives #103 at 1002', async () => {
    const { nodes, client } = await setup(3);
    // C is fresh but on another fork; the head times are all near the clock.
    const slot = (_aslot: number) => clock.now();
    nodes[0]!.handlers['condenser_api.get_dynamic_global_properties'] = () => ({
      result: { ...dgpAt(1003, slot(1001)), current_aslot: 1001 },
    });
    nodes[1]!.handlers['condenser_api.get_dynamic_global_properties'] = () => ({
      result: { ...dgpAt(1004, slot(1002)), current_aslot: 1002 },
    });
    nodes[2]!.handlers['condenser_api.get_dynamic_global_properties'] = () => ({
      result: { ...dgpAt(1001, slot(1050)), current_aslot: 1050 },
    });
    const { value } = await client.getHead({ decisive: true });
    expect([value.headBlockNumber, value.currentAslot]).toEqual([1003, 1001]);
  });

  it("an error from the node, not the transaction, marks it unavailable and is never hived's verdict on a broadcast", async () => {
    const { nodes, client } = await setup(2);
    await client.getHead({ decisive: true });
    nodes[0]!.handlers['condenser_api.broadcast_transaction'] = () => ({
      error: { code: -32003, message: 'Unable to acquire database lock', data: { name: 'fc_exception', code: 0 } },
    });
    nodes[1]!.handlers['condenser_api.broadcast_transaction'] = () => ({
      error: {
        code: -32601,
        message: 'Could not find API network_broadcast_api',
        data: { name: 'assert_exception', code: 10 },
      },
    });
    const error = await client.broadcast(await signedSwitch()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BroadcastRejectedError);
    // Not a verdict: retryable, no hived reason, and both nodes are unavailable for it.
    expect((error as BroadcastRejectedError).isRetryable).toBe(true);
    expect((error as BroadcastRejectedError).dataName).toBeUndefined();
    expect(client.nodes().map((n) => n.available)).toEqual([false, false]);
  });

  it('refreshes heads it has not read lately before trusting a node for a decisive read', async () => {
    const { nodes, client } = await setup(2);
    await client.getHead({ decisive: true });
    clock.advance(30_000);
    for (const node of nodes) node.head = { number: 1010, time: clock.now() - 500 };
    for (const node of nodes) node.calls.length = 0;
    expect((await client.getWitness('alice', { decisive: true })).value?.signingKey).toBe(PUB_A);
    for (const node of nodes) {
      expect(node.calls.sort()).toEqual([
        'condenser_api.get_dynamic_global_properties',
        'condenser_api.get_witness_by_account',
      ]);
    }
  });

  it('does not wait for a node that hangs once a majority agrees, and leaves it out of the next reads', async () => {
    const { nodes, client } = await setup(3, { timeoutMs: 1000 });
    nodes[2]!.handlers['condenser_api.get_dynamic_global_properties'] = () => ({ hang: true });
    const { value } = await client.getHead({ decisive: true });
    expect(value.headBlockNumber).toBe(1000);
    // Answered while the hanging node's call was still open: it had not even timed out yet.
    expect(client.nodes()[2]?.failures).toBe(0);
    await waitFor(() => client.nodes()[2]?.failures === 1, 3000);
    nodes[2]!.calls.length = 0;
    await client.getHead({ decisive: true });
    expect(nodes[2]!.calls).toEqual([]);
  });

  it('asks a node that failed again once its backoff is over (not before: an outage is not hammered), and waits for it when it is the only one', async () => {
    const { nodes, client } = await setup(1);
    await client.getHead({ decisive: true });
    nodes[0]!.handlers['condenser_api.broadcast_transaction'] = () => ({ hang: true });
    await client.broadcast(await signedSwitch(), { timeoutMs: 100 }).catch(() => undefined);
    expect(client.nodes()[0]?.failures).toBe(1);
    nodes[0]!.calls.length = 0;
    const early = await client.getWitness('alice', { decisive: true }).catch((caught: unknown) => caught);
    expect(early).toBeInstanceOf(StaleDataError);
    expect((early as Error).message).toMatch(/backoff/);
    expect(nodes[0]!.calls).toEqual([]);
    clock.advance(3000);
    expect((await client.getWitness('alice', { decisive: true })).value?.signingKey).toBe(PUB_A);
    expect(client.nodes()[0]?.fresh).toBe(true);
  });

  it('probes an unavailable node again after its backoff but never waits for it: a hanging probe holds nothing up', async () => {
    const { nodes, client } = await setup(2, { timeoutMs: 1000 });
    const [healthy, bad] = [nodes[0]!, nodes[1]!];
    bad.handlers['condenser_api.get_witness_by_account'] = () => ({ error: { code: -32603, message: 'internal' } });
    await client.getWitness('alice', { decisive: true });
    expect(client.nodes()[1]).toMatchObject({ available: false });
    // Past its backoff the bad node is asked again (it may be back), and now it hangs.
    clock.advance(3001);
    for (const node of [healthy, bad]) node.head = { number: 1001, time: clock.now() };
    bad.handlers['condenser_api.get_witness_by_account'] = () => ({ hang: true });
    bad.calls.length = 0;
    const started = Date.now();
    expect((await client.getWitness('alice', { decisive: true })).node).toBe(healthy.url);
    expect(Date.now() - started).toBeLessThan(500);
    await waitFor(() => bad.calls.includes('condenser_api.get_witness_by_account'));
  });

  it('waits for a head read still in flight rather than asking that node for its head again', async () => {
    const { nodes, client } = await setup(3, { timeoutMs: 1000 });
    const slow = nodes[2]!;
    // Its head read hangs: the decisive head read ends on the other two, before this one answers.
    slow.handlers['condenser_api.get_dynamic_global_properties'] = () => ({ hang: true });
    await client.getHead({ decisive: true });
    expect((await client.getWitness('alice', { decisive: true })).value?.signingKey).toBe(PUB_A);
    await waitFor(() => slow.calls.includes('condenser_api.get_witness_by_account'), 1000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(slow.calls.sort()).toEqual([
      'condenser_api.get_dynamic_global_properties',
      'condenser_api.get_witness_by_account',
    ]);
  });

  it('throws StaleDataError when no node is fresh', async () => {
    const { nodes, client } = await setup(3);
    for (const node of nodes) node.head.time = clock.now() - 120_000;
    await expect(client.getWitness('alice', { decisive: true })).rejects.toBeInstanceOf(StaleDataError);
  });
});

describe('load', () => {
  it('sends reads that decide nothing to the fresh nodes in turn, not all to the fastest', async () => {
    const { nodes, client } = await setup(3);
    await client.getHead({ decisive: true });
    for (const node of nodes) node.calls.length = 0;
    for (let i = 0; i < 6; i++) await client.getWitness('alice');
    expect(nodes.map((node) => node.calls.length)).toEqual([2, 2, 2]);
  });
});

describe('broadcast', () => {
  it('sends the same signed transaction to every node and reports its id', async () => {
    const { nodes, client } = await setup(2);
    const tx = await signedSwitch();
    const result = await client.broadcast(tx);
    expect(result).toEqual({ txId: transactionId(tx), acceptedBy: nodes.map((n) => n.url), failures: [] });
    for (const node of nodes) expect(node.broadcasts).toEqual([tx]);
  });

  it('skips a node that just timed out, unless every node did', async () => {
    const { nodes, client } = await setup(2);
    nodes[0]!.handlers['condenser_api.get_witness_by_account'] = () => ({ hang: true });
    await client.getWitness('alice'); // node 0 times out, node 1 answers
    const result = await client.broadcast(await signedSwitch());
    expect(result).toMatchObject({ acceptedBy: [nodes[1]?.url], failures: [] });
    expect(nodes[0]!.broadcasts).toEqual([]);

    nodes[1]!.handlers['condenser_api.get_witness_by_account'] = () => ({ hang: true });
    await client.getWitness('alice').catch(() => undefined); // now both have just failed
    const everyone = await client.broadcast(await signedSwitch());
    expect(everyone.acceptedBy).toEqual(nodes.map((n) => n.url));
  });

  it('counts "Duplicate transaction check failed" as accepted', async () => {
    const { nodes, client } = await setup(2);
    nodes[0]!.handlers['condenser_api.broadcast_transaction'] = () => ({
      error: {
        code: -32003,
        message: 'Assert Exception:is_unique( trx_id ): Duplicate transaction check failed',
        data: { code: 10, name: 'assert_exception', message: 'Assert Exception' },
      },
    });
    const result = await client.broadcast(await signedSwitch());
    expect(result.acceptedBy).toEqual(nodes.map((n) => n.url));
    expect(client.nodes()[0]?.failures).toBe(0);
  });

  it('gives up on a hanging node at the timeout and still reports the others', async () => {
    const { nodes, client } = await setup(2);
    nodes[1]!.handlers['condenser_api.broadcast_transaction'] = () => ({ hang: true });
    const result = await client.broadcast(await signedSwitch(), { timeoutMs: 200 });
    expect(result.acceptedBy).toEqual([nodes[0]?.url]);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]?.error).toBeInstanceOf(TimeoutError);
    await waitFor(() => nodes[1]!.openSockets() === 0);
  });

  it("throws BroadcastRejectedError with hived's reason when every node rejects, without blaming the nodes", async () => {
    const { nodes, client } = await setup(2);
    for (const node of nodes) {
      node.handlers['condenser_api.broadcast_transaction'] = () => ({
        error: {
          code: -32003,
          message: "missing required other authority: 'key' does not match witness signing key",
          data: { code: 3040000, name: 'tx_missing_other_auth', message: 'missing required other authority' },
        },
      });
    }
    const error = await client.broadcast(await signedSwitch()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BroadcastRejectedError);
    expect(error).toMatchObject({ dataName: 'tx_missing_other_auth', isRetryable: false });
    expect((error as BroadcastRejectedError).failures).toHaveLength(2);
    expect(client.nodes().map((n) => n.failures)).toEqual([0, 0]);
  });

  it('throws a retryable BroadcastRejectedError when every node hangs', async () => {
    const { nodes, client } = await setup(2);
    for (const node of nodes) node.handlers['condenser_api.broadcast_transaction'] = () => ({ hang: true });
    const error = await client.broadcast(await signedSwitch(), { timeoutMs: 150 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BroadcastRejectedError);
    expect((error as BroadcastRejectedError).isRetryable).toBe(true);
  });
});

describe('close', () => {
  it('releases every socket, and later calls fail typed', async () => {
    const { nodes, client } = await setup(2);
    await client.getHead({ decisive: true });
    expect(nodes.reduce((sum, node) => sum + node.openSockets(), 0)).toBeGreaterThan(0);
    await client.close();
    await waitFor(() => nodes.every((node) => node.openSockets() === 0));
    await expect(client.getHead()).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
  });
});

function dgpAt(number: number, time: number): Record<string, unknown> {
  return {
    head_block_number: number,
    head_block_id: blockIdOf(number),
    time: hiveTime(time),
    current_witness: 'bob',
    current_aslot: number + 200,
    last_irreversible_block_num: number - 15,
  };
}

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
