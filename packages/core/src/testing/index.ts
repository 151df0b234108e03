/**
 * Test helpers for notifier and remote-control packages: a local stand-in for a vendor's HTTP API, a fake Telegram
 * Bot API, the conformance suite every notifier runs, and the one every remote control runs. Import from `@witness-trap/core/testing` in tests only; it depends on no test runner.
 *
 * @packageDocumentation
 */
export * from './conformance.js';
export * from './control-conformance.js';
export * from './fake-telegram.js';
export * from './vendor-server.js';
