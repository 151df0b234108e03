/**
 * Telegram for witness-trap: `telegramNotifier({...})`, or `telegramNotifierFromEnv(process.env)`.
 *
 * @packageDocumentation
 */
export * from './env.js';
export * from './render.js';
export * from './telegram.js';
