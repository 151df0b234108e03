#!/usr/bin/env node
import { main } from './main.js';

const controller = new AbortController();
let signals = 0;
const onSignal = (signal: NodeJS.Signals): void => {
  signals += 1;
  // The first signal asks for a clean stop (a switch in flight is still confirmed or recorded); a second one insists.
  if (signals > 1) process.exit(1);
  controller.abort(new Error(`received ${signal}`));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

process.exitCode = await main(process.argv.slice(2), { signal: controller.signal });
