export * from './chain/dhive-client.js';
export { isNodeFault } from './chain/node-fault.js';
export { type NodeAvailability, nodeAvailability, quorumOf } from './chain/quorum.js';
export * from './clock.js';
export * from './errors.js';
export type * from './events.js';
export * from './notify/console.js';
export * from './notify/dedupe.js';
export * from './notify/format.js';
export * from './notify/http.js';
export * from './notify/redact.js';
export * from './notify/webhook.js';
export * from './signer/wif-key-ring.js';
export * from './state/corrupt-state.js';
export * from './state/file-state-store.js';
export * from './state/memory-state-store.js';
export type { SignerWithActiveKey } from './trap/arming.js';
export type {
  ControlCommand,
  ControlCommandName,
  ControlProgress,
  ControlRefusalCode,
  ControlResult,
  KeyRole,
  PauseState,
  TrapControl,
} from './trap/control.js';
export * from './trap/health.js';
export * from './trap/key-plan.js';
export * from './trap/miss-policy.js';
export type { PreemptiveOptions } from './trap/preemptive.js';
export * from './trap/schedule.js';
export type { SwitchOutcome } from './trap/switch.js';
export { CHECK_OVERDUE_BLOCKS, type TrapHealth } from './trap/watch-health.js';
export * from './trap/witness-admin.js';
export * from './trap.js';
export * from './tx/public-key.js';
export * from './tx/switch-operation.js';
export * from './tx/transaction.js';
export * from './tx/witness-update-operation.js';
export * from './types.js';
