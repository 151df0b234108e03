/**
 * `@witness-trap/simnet`: a simulated Hive chain for tests, demos and drills. hived's JSON-RPC on loopback, the
 * 21-witness schedule with hived's slot arithmetic, witness nodes that die and come back, broadcasts validated by
 * `@hiveio/wax`, and faults on demand.
 *
 * @packageDocumentation
 */

export { refBlockPrefix } from './block-id.js';
export type { ForkRecord, PendingTransaction } from './chain.js';
export type {
  AppliedTransaction,
  BlockRecord,
  LegacyOperation,
  LegacyTransaction,
  MissedSlot,
  WitnessPropsRecord,
  WitnessRecord,
} from './chain-data.js';
export type { SimnetCliIo } from './cli.js';
export { runSimnetCli, SIMNET_USAGE } from './cli.js';
export type { ActivityProbe, ScheduledWork, SettleOptions, SimnetClock } from './clock.js';
export { createRealClock, ManualClock } from './clock.js';
export type {
  BlackholeFault,
  DropBroadcastsFault,
  ErrorRateFault,
  Fault,
  FrozenHeadFault,
  HangBroadcastsFault,
  HtmlErrorFault,
  LatencyFault,
  LyingHeadFault,
  LyingWitnessFault,
  RefuseConnectionsFault,
  ResetConnectionFault,
  WithholdBroadcastsFault,
} from './faults.js';
export { FAULT_KINDS, InvalidFaultError, seededRandom } from './faults.js';
export { formatHiveTime, parseHiveTime } from './hive-time.js';
export type { KeyPair } from './keys.js';
export { TIDY_CHAIN } from './realism.js';
export type { BroadcastRecord } from './rpc/methods.js';
export { DEFAULT_MANUAL_START, SIMNET_CHAIN_ID, SimnetOptionsError, startSimnet } from './simnet.js';
export { slotsIfMissing } from './slots-ahead.js';
export type {
  ChainView,
  FaultHandle,
  FaultTarget,
  HeadView,
  ScheduleView,
  SeededWitnessProps,
  Simnet,
  SimnetOptions,
  SimnetProxyOptions,
  SimnetWitness,
  SimnetWitnessSeed,
  SlotView,
  Stepped,
} from './types.js';
export type { NodeHealth } from './witness-node.js';
export { NULL_KEY } from './witness-props.js';
