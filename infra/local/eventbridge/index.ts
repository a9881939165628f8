export type { Deliver, RetrySettings } from './delivery';
export { EventBridgeError } from './errors';
export { EventPattern } from './event-pattern';
export { eventBridgePortSpec, LocalEventBridge, type LocalEventBridgeOptions } from './local-eventbridge';
export type { DeadLetter, EventBridgeEvent, Rule, Target } from './store';
export { EventArchive, readArchive, type ArchiveSpec } from './archive';
