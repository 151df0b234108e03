/**
 * Telegram for witness-trap: `telegramNotifier({...})`, or `telegramNotifierFromEnv(process.env)`; and the remote
 * control, `telegramRemote({...})` or `telegramRemoteFromEnv(process.env, { control: trap })`.
 *
 * @packageDocumentation
 */
export * from './env.js';
export * from './remote.js';
export * from './render.js';
export * from './telegram.js';
