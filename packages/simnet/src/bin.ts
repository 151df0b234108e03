#!/usr/bin/env node
import { runSimnetCli } from './cli.js';

runSimnetCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`witness-trap-simnet: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
