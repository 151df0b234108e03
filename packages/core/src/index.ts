export * from './errors.js';
export type * from './events.js';
export * from './notify/format.js';
export * from './types.js';
