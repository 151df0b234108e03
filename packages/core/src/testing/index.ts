/**
 * Test helpers for notifier packages: a local stand-in for a vendor's HTTP API and the conformance suite every
 * notifier runs. Import from `@witness-trap/core/testing` in tests only; it depends on no test runner.
 *
 * @packageDocumentation
 */
export * from './conformance.js';
export * from './vendor-server.js';
