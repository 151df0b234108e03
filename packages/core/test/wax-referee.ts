/**
 * hived's own protocol code (`@hiveio/wax`, WebAssembly) as an independent referee for what the core builds and
 * signs. Core does not depend on wax; the simulated chain does, so the tests load it from there rather than install
 * it twice.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The parts of a wax transaction the tests read. */
export interface WaxTransaction {
  validate(): void;
  readonly legacy_id: string;
  readonly legacy_sigDigest: string;
  readonly legacy_signatureKeys: string[];
  readonly requiredAuthorities: {
    posting: Set<string>;
    active: Set<string>;
    owner: Set<string>;
    other: Array<{
      weight_threshold: number;
      key_auths: Record<string, number>;
      account_auths: Record<string, number>;
    }>;
  };
}

interface WaxFoundation {
  createTransactionFromLegacyJson(tx: object): WaxTransaction;
}

const foundations = new Map<string, Promise<WaxFoundation>>();

/** One wax instance per chain id (creating one takes ~75 ms). */
export function waxFor(chainId: string): Promise<WaxFoundation> {
  let foundation = foundations.get(chainId);
  if (foundation === undefined) {
    foundation = loadWax().then((wax) => wax.createWaxFoundation({ chainId }));
    foundations.set(chainId, foundation);
  }
  return foundation;
}

async function loadWax(): Promise<{ createWaxFoundation(options: { chainId: string }): Promise<WaxFoundation> }> {
  const require = createRequire(new URL('../../simnet/package.json', import.meta.url));
  const root = dirname(require.resolve('@hiveio/wax/package.json'));
  return import(pathToFileURL(join(root, 'wasm/dist/bundle/node.js')).href);
}
