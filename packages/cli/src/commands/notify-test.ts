/** `witness-trap notify-test`: one test message through every configured notifier, each result reported. */
import { ExitCode } from '../exit-codes.js';
import type { CommandContext } from '../main.js';
import { buildNotifiers, sendTestNotification } from '../notifiers.js';
import { UsageError } from '../usage-error.js';

/** Sends one `test` notification through each notifier; exit 0 only when every one delivered it. */
export async function notifyTestCommand({ settings, output, signal }: CommandContext): Promise<number> {
  const { notifiers, problems } = await buildNotifiers(settings);
  if (problems.length > 0) throw new UsageError('CONFIG_NOTIFIER', problems);
  if (notifiers.length === 0) {
    throw new UsageError('CONFIG_NOTIFIER', [
      'no notifier is configured: set TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID, or TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM and TWILIO_TO, or pass --webhook URL',
    ]);
  }
  const results = await sendTestNotification(
    notifiers,
    settings.witness ?? 'unknown',
    'witness-trap notify-test',
    signal,
  );
  for (const result of results) {
    if (result.ok) output.log('info', 'notified', `${result.notifier}: delivered`, { ...result });
    else output.log('error', 'notify-failed', `${result.notifier}: FAILED: ${result.error}`, { ...result });
  }
  const failed = results.filter((result) => !result.ok);
  output.result(
    { ok: failed.length === 0, results },
    failed.length === 0
      ? `all ${results.length} notifier${results.length === 1 ? '' : 's'} delivered the test message`
      : `${failed.length} of ${results.length} notifiers failed: ${failed.map((r) => r.notifier).join(', ')}`,
  );
  return failed.length === 0 ? ExitCode.ok : ExitCode.failure;
}
