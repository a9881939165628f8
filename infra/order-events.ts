/**
 * The order's domain events, defined once: CDK creates the bus and its archive from these, the workflow publishes
 * onto the bus with this source, and infra/events/ holds the JSON Schema of each detail type.
 *
 * The workflow publishes with the optimized `arn:aws:states:::events:putEvents` integration: the one execution of an
 * order publishes that order's events, in the order its states run, with no stream, pipe or service in between.
 */
export const orderEvents = {
  busName: 'cake-shop-orders',
  source: 'cake-shop.orders',
  /** Long enough to backfill a consumer that starts a year late, by replaying the archive. */
  archiveRetentionDays: 365,
  schemaVersion: 1,
} as const;

/**
 * Each detail type with its `sequence`: where the event comes in an order's life. Events one order can have
 * together always have increasing numbers, so a consumer orders one order's events by it; a path that skips a step
 * leaves a gap. OrderStuck is for ops and comes outside the sequence.
 */
export const orderEventSequence = {
  OrderPlaced: 1,
  CakeFulfilled: 2,
  OrderCancelled: 2,
  OrderOutForDelivery: 3,
  OrderDelivered: 4,
  FeedbackReceived: 5,
  OrderCompleted: 6,
  OrderStuck: 0,
} as const;

export type OrderEventType = keyof typeof orderEventSequence;

/** The execution statuses that make an order stuck: Step Functions' status changes with these become OrderStuck. */
export const stuckExecutionStatuses = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;
export const orderEventTypes = Object.keys(orderEventSequence) as OrderEventType[];

/** `infra/events/<type>.schema.json`, relative to the repository root. */
export const orderEventSchemaFile = (type: OrderEventType) => `infra/events/${type}.schema.json`;
