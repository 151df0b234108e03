/**
 * Twilio SMS for witness-trap: `twilioNotifier({...})`, or `twilioNotifierFromEnv(process.env)`.
 *
 * @packageDocumentation
 */
export * from './env.js';
export * from './sms.js';
export * from './twilio.js';
