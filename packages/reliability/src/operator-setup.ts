/**
 * An operator's setup for CLI-level tests: a simulated chain on the real clock (the CLI is another process and
 * runs on its own clock), a key file, a state path, one receiver standing in for Twilio, Telegram and a webhook,
 * and the known secrets in play so that tests can look for them where they must not be.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Simnet, type SimnetWitness, startSimnet } from '@witness-trap/simnet';
import { afterEach, beforeAll } from 'vitest';
import { cliBin, killLiveClis } from './cli-process.js';
import { startVendorReceiver, type VendorReceiver } from './vendor-receiver.js';

/** Fast enough for a test, slow enough for two busy cores. */
export const CLI_BLOCK_INTERVAL_MS = 200;

/** Everything a CLI-level test needs. */
export interface OperatorSetup {
  sim: Simnet;
  me: SimnetWitness;
  backupKeys: string[];
  dir: string;
  keyFile: string;
  statePath: string;
  receiver: VendorReceiver;
  /** The flags of `witness-trap run` for this setup (JSON lines on stdout). */
  runArgs: string[];
  /** The notifier environment: Twilio and Telegram pointed at the receiver, with known fake tokens. */
  env: Record<string, string>;
  /** Every secret in play (private keys, tokens, the webhook's path token): none may ever be printed or saved. */
  secrets: string[];
  close(): Promise<void>;
}

/** A fake Twilio auth token, recognisable if it leaks. */
export const FAKE_TWILIO_TOKEN = 'twilio-secret-token-5f1d9c0e7a2b4c68';
/** A fake Telegram bot token, recognisable if it leaks. */
export const FAKE_TELEGRAM_TOKEN = '123456789:telegram-secret-AAHx0R7vQ2pLmN4kZ';
/** A token in the webhook's path, as Discord and Slack webhook URLs carry one. */
export const WEBHOOK_PATH_TOKEN = 'hook-path-secret-9b8c7d6e';

/** What a test may choose of its setup: API nodes (each a `--node`), the block interval (and `--block-interval`). */
export interface OperatorSetupOptions {
  /** @default 1 */
  endpoints?: number;
  /** @default CLI_BLOCK_INTERVAL_MS */
  blockIntervalMs?: number;
}

/** Starts the chain and the receiver and writes the operator's files (key file mode 600). */
export async function operatorSetup(options: OperatorSetupOptions = {}): Promise<OperatorSetup> {
  const blockIntervalMs = options.blockIntervalMs ?? CLI_BLOCK_INTERVAL_MS;
  const sim = await startSimnet({
    blockIntervalMs,
    backupKeys: 2,
    endpoints: options.endpoints ?? 1,
    seed: 'reliability-cli',
  });
  const me = sim.witnesses[0];
  if (me === undefined) throw new Error('the simnet has no demo witness');
  const backupKeys = me.backupKeys.map((k) => k.publicKey);
  const receiver = await startVendorReceiver();
  const dir = mkdtempSync(join(tmpdir(), 'wt-reliability-op-'));
  const keyFile = join(dir, 'signing.keys');
  writeFileSync(keyFile, `# primary, then backup 1\n${me.privateKey}\n${me.backupKeys[0]?.privateKey ?? ''}\n`);
  chmodSync(keyFile, 0o600);
  const statePath = join(dir, 'state.json');
  const runArgs = [
    'run',
    '--json',
    '--witness',
    me.name,
    ...sim.urls.flatMap((url) => ['--node', url]),
    '--chain-id',
    sim.chainId,
    '--block-interval',
    String(blockIntervalMs),
    ...backupKeys.flatMap((key) => ['--backup-key', key]),
    '--signing-keys-file',
    keyFile,
    '--state',
    statePath,
    '--webhook',
    `${receiver.url}/${WEBHOOK_PATH_TOKEN}`,
  ];
  const env = {
    TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
    TWILIO_AUTH_TOKEN: FAKE_TWILIO_TOKEN,
    TWILIO_FROM: '+15550000000',
    TWILIO_TO: '+15551111111',
    TWILIO_API_URL: receiver.url,
    TELEGRAM_BOT_TOKEN: FAKE_TELEGRAM_TOKEN,
    TELEGRAM_CHAT_ID: '42',
    TELEGRAM_API_URL: receiver.url,
  };
  const secrets = [
    me.privateKey,
    me.activeKey,
    ...me.backupKeys.map((k) => k.privateKey),
    FAKE_TWILIO_TOKEN,
    FAKE_TELEGRAM_TOKEN,
    WEBHOOK_PATH_TOKEN,
  ];
  return {
    sim,
    me,
    backupKeys,
    dir,
    keyFile,
    statePath,
    receiver,
    runArgs,
    env,
    secrets,
    close: async () => {
      await receiver.close();
      await sim.stop();
    },
  };
}

/**
 * For a test file of CLI scenarios: bundles the CLI once before the tests, and closes each test's setup after it.
 * @returns the function a test calls to get a fresh setup (with its own options, e.g. `{ endpoints: 2 }`)
 */
export function operatorPerTest(): (options?: OperatorSetupOptions) => Promise<OperatorSetup> {
  let current: OperatorSetup | undefined;
  beforeAll(async () => {
    await cliBin();
  }, 60_000);
  afterEach(async () => {
    await killLiveClis();
    await current?.close();
    current = undefined;
  });
  return async (options) => {
    current = await operatorSetup(options);
    return current;
  };
}
