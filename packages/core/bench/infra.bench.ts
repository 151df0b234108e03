/**
 * What the core's infrastructure costs per call, on loopback (so: the client's own overhead, not the network's).
 * Run: `pnpm vitest bench --run packages/core/bench`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, PrivateKey } from '@hiveio/dhive';
import { afterAll, beforeAll, bench, describe } from 'vitest';
import { type DhiveChainClient, dhiveChainClient } from '../src/chain/dhive-client.js';
import { systemClock } from '../src/clock.js';
import { wifKeyRing } from '../src/signer/wif-key-ring.js';
import { fileStateStore } from '../src/state/file-state-store.js';
import { buildSwitchOperation } from '../src/tx/switch-operation.js';
import { buildTransaction } from '../src/tx/transaction.js';
import type { TrapState } from '../src/types.js';
import { type FakeHivedNode, startFakeHivedNode, witnessJson } from '../test/fake-hived-node.js';

const key = PrivateKey.fromSeed('bench key');
const PUB = key.createPublic().toString();
let nodes: FakeHivedNode[] = [];
let one: DhiveChainClient;
let three: DhiveChainClient;
let dhive: Client;
let dir: string;

beforeAll(async () => {
  nodes = await Promise.all([0, 1, 2].map(() => startFakeHivedNode(systemClock)));
  for (const node of nodes) {
    node.handlers['condenser_api.get_dynamic_global_properties'] = () => ({
      result: {
        head_block_number: 1000,
        head_block_id: `000003e8${'a'.repeat(32)}`,
        time: new Date(Date.now() - 500).toISOString().slice(0, 19),
        current_witness: 'bob',
        current_aslot: 1200,
        last_irreversible_block_num: 985,
      },
    });
    node.witnesses.alice = witnessJson('alice', PUB);
  }
  one = dhiveChainClient({ nodes: [nodes[0]!.url] });
  three = dhiveChainClient({ nodes: nodes.map((n) => n.url) });
  dhive = new Client(nodes[0]!.url, { timeout: 5000 });
  dir = await mkdtemp(join(tmpdir(), 'witness-trap-bench-'));
});

afterAll(async () => {
  await one.close();
  await three.close();
  await Promise.all(nodes.map((n) => n.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('reads on loopback', () => {
  bench('dhiveChainClient getHead, one node', async () => {
    await one.getHead();
  });
  bench("dhive's own Client.call get_dynamic_global_properties (for comparison)", async () => {
    await dhive.call('condenser_api', 'get_dynamic_global_properties', []);
  });
  bench('dhiveChainClient getHead, decisive over three nodes', async () => {
    await three.getHead({ decisive: true });
  });
});

describe('signing and state', () => {
  const ring = wifKeyRing({ signingKeys: [key.toString()] });
  const head = {
    headBlockNumber: 1000,
    headBlockId: `000003e8${'a'.repeat(32)}`,
    headBlockTime: Date.now(),
    currentAslot: 1200,
    currentWitness: 'bob',
    lastIrreversibleBlockNum: 985,
  };
  bench('build and sign a switch', async () => {
    await ring.sign(buildTransaction(head, [buildSwitchOperation('alice', PUB, PUB)]), [PUB], 'ab'.repeat(32));
  });
  const state: TrapState = { version: 1, witness: 'alice', history: [], failedKeys: [] };
  bench('fileStateStore.save (temp file, fsync, rename, fsync dir)', async () => {
    await fileStateStore(join(dir, 'state.json')).save(state);
  });
});
