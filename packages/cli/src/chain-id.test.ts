import { describe, expect, it } from 'vitest';
import { chainIdVerdict } from './chain-id.js';
import type { NodeProbe } from './node-probe.js';

const MAINNET = 'beeab0de00000000000000000000000000000000000000000000000000000000';
const SIM = '9d453cb0e188a0a89efa75f2c2a4f978199bdf3940749d8f109a132882275319';
const OTHER = '18dcf0a285365fc58b71f18b3d3fec954aa0c141c44e4e5cb4cf777b9eab274e';
const told = (url: string, chainId?: string): NodeProbe => ({
  url,
  reachable: chainId !== undefined,
  elapsedMs: 1,
  ...(chainId ? { chainId } : {}),
});

describe('the chain id to sign for', () => {
  it('is the nodes’ when --chain-id is unset and every node that answered agrees', () => {
    const verdict = chainIdVerdict({ chainId: MAINNET, sources: {} }, [told('http://a:1', SIM), told('http://b:1')]);
    expect(verdict).toEqual({ chainId: SIM, source: 'nodes', problems: [], notes: [] });
  });

  it('refuses nodes on different chains, naming each node and chain', () => {
    const verdict = chainIdVerdict({ chainId: MAINNET, sources: {} }, [
      told('http://a:1', SIM),
      told('http://b:1', OTHER),
    ]);
    expect(verdict.problems).toEqual([
      `the nodes are on different chains: http://a:1 on ${SIM}; http://b:1 on ${OTHER} (the Hive testnet): remove the wrong --node, or pass --chain-id HEX`,
    ]);
  });

  it('refuses --chain-id where a node is on another chain, with both ids', () => {
    const verdict = chainIdVerdict({ chainId: MAINNET, sources: { 'chain-id': '--chain-id' } }, [
      told('http://a:1', SIM),
    ]);
    expect(verdict.problems[0]).toContain(
      `node http://a:1 is on chain ${SIM}, but --chain-id is ${MAINNET} (Hive mainnet)`,
    );
  });

  it('keeps the default, and says so, where no node told its chain id', () => {
    const verdict = chainIdVerdict({ chainId: MAINNET, sources: {} }, [told('http://a:1')]);
    expect(verdict).toMatchObject({ chainId: MAINNET, source: 'default', problems: [] });
    expect(verdict.notes[0]).toMatch(
      /no node said which chain it is on \(http:\/\/a:1\): signing for beeab0de0+ \(Hive mainnet\)/,
    );
  });
});
