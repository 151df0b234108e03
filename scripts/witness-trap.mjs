#!/usr/bin/env node
// `pnpm witness-trap <command>` in a clone, right after `pnpm install`: the CLI run from its TypeScript sources (tsx,
// and the workspace packages' `source` export condition), so no build step comes first. It runs in the folder the
// command was typed in (pnpm starts scripts at the workspace root; INIT_CWD is where the person was), so .env,
// --state and key-file paths mean what they would with an installed witness-trap. Exit code and signals pass
// through: SIGINT/SIGTERM go to the CLI, which stops cleanly and exits as documented.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../packages/cli/src/bin.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');
const child = spawn(process.execPath, ['--conditions=source', '--import', tsx, bin, ...process.argv.slice(2)], {
  cwd: process.env.INIT_CWD || process.cwd(),
  stdio: 'inherit',
});
// A terminal's Ctrl-C reaches the whole process group, the CLI included: passing SIGINT on too would be a second
// signal, which makes the CLI exit at once. SIGTERM sent to this process alone (a supervisor's stop) is passed on.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal === 'SIGINT' ? 130 : 143);
});
