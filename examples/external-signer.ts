/**
 * A signer that is not the in-process WIF key ring: the trap's {@link Signer} here is a thin client that talks to a
 * separate signing service over a message boundary, the way a remote signer, a KMS or an HSM would be reached. The
 * trap's process never holds a private key; it sees public keys and signed transactions only.
 *
 * The "service" is a stand-in living in this process: it keeps its keys in a private field and answers serialised
 * requests asynchronously. It signs through core's `wifKeyRing` because the examples package depends on
 * `@witness-trap/core` and `@witness-trap/simnet` only (dhive's `cryptoUtils.signTransaction` is not importable from
 * here); a real service would sign with whatever its hardware or vendor SDK offers.
 *
 * Run it through its test (`pnpm vitest run examples`), or after `pnpm build` with a TypeScript-aware runner.
 */
import { pathToFileURL } from 'node:url';
import {
  dhiveChainClient,
  FailoverTrap,
  type PublicKeyString,
  type SignedTransaction,
  type Signer,
  SignerError,
  shortKey,
  type UnsignedTransaction,
  wifKeyRing,
} from '@witness-trap/core';
import { startSimnet } from '@witness-trap/simnet';

/** A request to the signing service, as it would travel over the wire. */
type SigningRequest =
  | { method: 'publicKeys' }
  | { method: 'sign'; tx: UnsignedTransaction; keys: PublicKeyString[]; chainId: string };

/**
 * The stand-in for a remote signing service: the only holder of the private keys. It speaks JSON text in and out,
 * so nothing but serialisable data (never a key object) crosses to the caller.
 */
export class SigningService {
  readonly #keys: Signer;

  /** @param wifs The private signing keys (WIF) the service guards. */
  constructor(wifs: string[]) {
    this.#keys = wifKeyRing({ signingKeys: wifs });
  }

  /** Answers one JSON request with one JSON response, a turn of the event loop later (as a network hop would). */
  async handle(request: string): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, 0));
    const call = JSON.parse(request) as SigningRequest;
    try {
      if (call.method === 'publicKeys') return JSON.stringify({ result: await this.#keys.publicKeys() });
      return JSON.stringify({ result: await this.#keys.sign(call.tx, call.keys, call.chainId) });
    } catch (error) {
      // Only the message crosses back, as a remote service would answer: never the key ring's internals.
      return JSON.stringify({ error: error instanceof Error ? error.message : 'signing failed' });
    }
  }

  /** `String(service)` names it, never its keys. */
  toString(): string {
    return '[SigningService]';
  }
}

/** Options of {@link RemoteSigner}. */
export interface RemoteSignerOptions {
  /** A call that takes longer than this fails with a `SignerError`. @default 5000 */
  timeoutMs?: number;
}

/**
 * A {@link Signer} that forwards to a {@link SigningService}. What the trap needs from any external signer: the
 * public keys it may sign with, and signing that fails with a typed `SignerError` rather than hanging.
 * @example
 * ```ts
 * const signer = new RemoteSigner((request) => fetchFromMySigner(request));
 * const trap = new FailoverTrap({ witness, chain, signer, backupKeys });
 * ```
 */
export class RemoteSigner implements Signer {
  readonly #send: (request: string) => Promise<string>;
  readonly #timeoutMs: number;

  /** @param send Delivers one JSON request to the service and resolves with its JSON response. */
  constructor(send: (request: string) => Promise<string>, { timeoutMs = 5000 }: RemoteSignerOptions = {}) {
    this.#send = send;
    this.#timeoutMs = timeoutMs;
  }

  /** The public keys the service can sign with. */
  async publicKeys(): Promise<PublicKeyString[]> {
    return this.#call<PublicKeyString[]>({ method: 'publicKeys' });
  }

  /** Has the service sign `tx` for `chainId` with `keys`. */
  async sign(tx: UnsignedTransaction, keys: PublicKeyString[], chainId: string): Promise<SignedTransaction> {
    return this.#call<SignedTransaction>({ method: 'sign', tx, keys, chainId });
  }

  async #call<T>(request: SigningRequest): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new SignerError('SIGNER_TIMEOUT', `the signing service did not answer ${request.method}`)),
        this.#timeoutMs,
      );
    });
    try {
      const answer = JSON.parse(await Promise.race([this.#send(JSON.stringify(request)), timeout])) as {
        result?: T;
        error?: string;
      };
      if (answer.error !== undefined || answer.result === undefined) {
        throw new SignerError('SIGNER_REMOTE', `the signing service refused ${request.method}: ${answer.error}`);
      }
      return answer.result;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Options of {@link main}. */
export interface ExternalSignerOptions {
  /** The simulated chain's block interval (Hive's is 3000). @default 1000 */
  blockIntervalMs?: number;
  /** Where the story goes. @default console.log */
  print?: (line: string) => void;
}

/** Fails the demo witness over with a remotely held key; resolves with the exit code (0: confirmed on chain). */
export async function main({
  blockIntervalMs = 1000,
  print = console.log,
}: ExternalSignerOptions = {}): Promise<number> {
  const sim = await startSimnet({ blockIntervalMs, backupKeys: 1 });
  const chain = dhiveChainClient({ nodes: sim.urls, chainId: sim.chainId, blockIntervalMs });
  try {
    const demo = sim.witnesses[0];
    if (demo === undefined) throw new Error('the simnet has no demo witness');
    const service = new SigningService([demo.privateKey]);
    const trap = new FailoverTrap({
      witness: demo.name,
      chain,
      signer: new RemoteSigner((request) => service.handle(request)),
      backupKeys: demo.backupKeys.map((k) => k.publicKey),
      blockIntervalMs,
    });
    trap.on('confirmed', (e) => print(`confirmed in block ${e.blockNum}: now signing with ${shortKey(e.toKey)}`));
    await trap.arm();
    await sim.stopNode(demo.signingKey);
    const outcome = await trap.run();
    return outcome.status === 'confirmed' ? 0 : 1;
  } finally {
    await chain.close();
    await sim.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
