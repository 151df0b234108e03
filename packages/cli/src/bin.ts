#!/usr/bin/env node
import { main } from './main.js';
import { exitCodeAfterSignal, exitCodeOfSecondSignal } from './signals.js';

const controller = new AbortController();
let first: NodeJS.Signals | undefined;
const onSignal = (signal: NodeJS.Signals): void => {
  // The first signal asks for a clean stop (a switch in flight is still confirmed or recorded); a second one insists.
  if (first !== undefined) process.exit(exitCodeOfSecondSignal(signal));
  first = signal;
  controller.abort(new Error(`received ${signal}`));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const code = await main(process.argv.slice(2), { signal: controller.signal });
process.exitCode = exitCodeAfterSignal(first, code);
