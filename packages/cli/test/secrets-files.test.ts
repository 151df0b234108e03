/**
 * Files that hold secrets and that anyone on the host can read are refused through the CLI (issue 21 item 3): a
 * `.env` holding a notifier token, and a `--config` file holding a webhook URL (its token rides in the URL), each
 * with the `chmod 600` that fixes it; at mode 600 they are used.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, operatorPerTest } from './fixtures.js';
import { runCli } from './harness.js';

const setUp = operatorPerTest();
const TOKEN = '123456:telegram-secret-token-value';

const problemsOf = (text: string) =>
  jsonLines(text)
    .flatMap((record) => (record.problems as string[] | undefined) ?? [])
    .join('\n');

describe('secrets files readable by group or others', () => {
  it('refuses a .env holding TELEGRAM_BOT_TOKEN at mode 644 with the chmod 600 to run, and uses it at 600', async () => {
    const op = await setUp();
    const dotenv = join(op.dir, '.env');
    writeFileSync(dotenv, `TELEGRAM_BOT_TOKEN=${TOKEN}\nTELEGRAM_CHAT_ID=42\nTELEGRAM_API_URL=http://127.0.0.1:9\n`);
    chmodSync(dotenv, 0o644);
    const open = await runCli(['status', ...op.chainFlags], { cwd: op.dir, timeoutMs: 30_000 });
    expect(open.code, open.stderr).toBe(2);
    expect(problemsOf(open.stderr)).toContain(
      `.env (it holds TELEGRAM_BOT_TOKEN) ${dotenv}: readable by group or others (mode 0644); refusing to use it: run chmod 600 ${dotenv}`,
    );
    expect(open.stdout + open.stderr).not.toContain(TOKEN);
    chmodSync(dotenv, 0o600);
    const closed = await runCli(['status', ...op.chainFlags], { cwd: op.dir, timeoutMs: 30_000 });
    // No trap has run here: status's monitoring warning (exit 1), not a configuration problem.
    expect(closed.code, closed.stderr).toBe(1);
  }, 40_000);

  it('refuses a --config file holding a webhook URL at mode 644 with the chmod 600 to run, and uses it at 600', async () => {
    const op = await setUp();
    const config = join(op.dir, 'witness-trap.json');
    writeFileSync(config, JSON.stringify({ webhook: 'http://127.0.0.1:9/hook?token=webhook-secret-value' }));
    chmodSync(config, 0o644);
    const open = await runCli(['status', ...op.chainFlags, '--config', config], { cwd: op.dir, timeoutMs: 30_000 });
    expect(open.code, open.stderr).toBe(2);
    expect(problemsOf(open.stderr)).toMatch(
      new RegExp(
        `--config \\(it holds "webhook".*\\) ${config}: readable by group or others \\(mode 0644\\); refusing to use it: run chmod 600 ${config}`,
      ),
    );
    expect(open.stdout + open.stderr).not.toContain('webhook-secret-value');
    chmodSync(config, 0o600);
    const closed = await runCli(['status', ...op.chainFlags, '--config', config], { cwd: op.dir, timeoutMs: 30_000 });
    expect(closed.code, closed.stderr).toBe(1);
  }, 40_000);
});
