export * from './errors.js';
export type * from './events.js';
export * from './types.js';
