import { findProduct } from './catalogue';
import { workflowErrorNames } from './errors';

export const orderStatuses = [
  'PLACED',
  'FULFILLED',
  'OUT_FOR_DELIVERY',
  'DELIVERED',
  'COMPLETED',
  'DELIVERED_UNCONFIRMED',
  'CANCELLED',
  'FAILED',
] as const;
export type OrderStatus = (typeof orderStatuses)[number];

export function isOrderStatus(value: unknown): value is OrderStatus {
  return typeof value === 'string' && (orderStatuses as readonly string[]).includes(value);
}

export interface TimelineEntry {
  status: OrderStatus;
  at: string;
  note?: string;
}

/** The three steps a person takes through a link in an email. */
export type LinkStep = 'cancel' | 'fulfil' | 'delivered';

export const codeHashField = {
  cancel: 'cancelCodeHashes',
  fulfil: 'fulfilCodeHashes',
  delivered: 'deliveredCodeHashes',
} as const satisfies Record<LinkStep, string>;

export const taskTokenField = {
  fulfil: 'fulfilTaskToken',
  delivered: 'deliveryTaskToken',
} as const;
export type TaskTokenField = (typeof taskTokenField)[keyof typeof taskTokenField];

/**
 * Messages whose steps do not decide the order's fate. When one cannot be sent after every retry the workflow goes
 * on and records it on the order, under the attribute named here, for ops to re-send.
 */
export const unsentMessageField = {
  orderConfirmation: 'orderConfirmationUnsentAt',
  reminder: 'reminderUnsentAt',
  feedback: 'feedbackUnsentAt',
  cancellationConfirmation: 'cancellationConfirmationUnsentAt',
} as const;
export type UnsentMessage = keyof typeof unsentMessageField;
type UnsentMessageField = (typeof unsentMessageField)[UnsentMessage];

export const unsentMessageLabels: Record<UnsentMessage, string> = {
  orderConfirmation: "The customer's order confirmation",
  reminder: "The cake maker's reminder",
  feedback: "The customer's feedback to customer service",
  cancellationConfirmation: "The customer's confirmation of their cancellation",
};

export function isUnsentMessage(value: unknown): value is UnsentMessage {
  return typeof value === 'string' && Object.hasOwn(unsentMessageField, value);
}

/** What the order records as not sent, in the order the workflow would have sent it. */
export function unsentMessages(order: Partial<Record<UnsentMessageField, unknown>>): UnsentMessage[] {
  return (Object.keys(unsentMessageField) as UnsentMessage[]).filter((message) => order[unsentMessageField[message]] !== undefined);
}

export interface OrderDetails {
  name: string;
  email: string;
  address: string;
  productId: string;
  quantity: number;
  message?: string;
}

/** An order as stored in the orders table. Code hashes and task tokens never leave the backend. */
export interface Order extends OrderDetails {
  orderId: string;
  status: OrderStatus;
  createdAt: string;
  updatedAt: string;
  timeline: TimelineEntry[];
  /** The order's Step Functions execution, so ops can go from an order to its history. */
  executionArn?: string;
  cancelCodeHashes?: string[];
  fulfilCodeHashes?: string[];
  deliveredCodeHashes?: string[];
  fulfilTaskToken?: string;
  deliveryTaskToken?: string;
  fulfilledAt?: string;
  deliveredAt?: string;
  cancelledAt?: string;
  rating?: number;
  comment?: string;
  /** When the workflow gave up sending each message; removed once ops re-send it. */
  orderConfirmationUnsentAt?: string;
  reminderUnsentAt?: string;
  feedbackUnsentAt?: string;
  cancellationConfirmationUnsentAt?: string;
  /** Domain events (detail types) the workflow gave up publishing on the order events bus. */
  unpublishedEvents?: Set<string>;
  /** The detail of each unpublished event as its Publish state built it, by detail type; removed once re-published. */
  unpublishedEventDetails?: Record<string, OrderEventDetail>;
}

/** An order event's `detail` (infra/events/): `eventId`, `sequence` and `occurredAt` identify it for consumers. */
export interface OrderEventDetail {
  schemaVersion: number;
  eventId: string;
  orderId: string;
  occurredAt: string;
  sequence: number;
  [field: string]: unknown;
}

/** What anyone holding the order id may see: no contact details, codes or tokens. */
export interface OrderSummary {
  orderId: string;
  status: OrderStatus;
  cake: { productId: string; name: string };
  quantity: number;
  createdAt: string;
  updatedAt: string;
  timeline: TimelineEntry[];
  executionArn?: string;
}

export function cakeName(productId: string): string {
  return findProduct(productId)?.name ?? productId;
}

export function summariseOrder(order: Order): OrderSummary {
  return {
    orderId: order.orderId,
    status: order.status,
    cake: { productId: order.productId, name: cakeName(order.productId) },
    quantity: order.quantity,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    timeline: order.timeline.map(({ status, at, note }) => (note === undefined ? { status, at } : { status, at, note })),
    ...(order.executionArn === undefined ? {} : { executionArn: order.executionArn }),
  };
}

export function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] ?? name;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isOrderId(value: unknown): value is string {
  return typeof value === 'string' && uuidPattern.test(value);
}

/** Each order has one execution, named after it. */
export function executionNameFor(orderId: string): string {
  return `order-${orderId}`;
}

/** The order an execution runs, or undefined for an execution not named after an order. */
export function orderIdOfExecutionName(name: string): string | undefined {
  const orderId = name.replace(/^order-/, '');
  return executionNameFor(orderId) === name && isOrderId(orderId) ? orderId : undefined;
}

export const statusLabels: Record<OrderStatus, string> = {
  PLACED: 'Order placed',
  FULFILLED: 'Cake ready',
  OUT_FOR_DELIVERY: 'Out for delivery',
  DELIVERED: 'Delivered',
  COMPLETED: 'Completed',
  DELIVERED_UNCONFIRMED: 'Delivered (not confirmed)',
  CANCELLED: 'Cancelled',
  FAILED: 'Failed',
};

const maxNoteLength = 300;

/** What a Catch hands to Mark Order Failed: Step Functions always sets Error, but Cause only when the failure had one. */
export interface CaughtError {
  Error?: unknown;
  Cause?: unknown;
}

const genericFailureNote = 'The order could not be completed because of an unexpected error.';

/**
 * The timeline is public (GET /order/{orderId}), so a failure is described only when it is one of the
 * workflow's own errors, whose messages are written for people; anything else gets a generic note.
 */
export function timelineNote(change: { status: OrderStatus; reason?: unknown; failure?: CaughtError }): string | undefined {
  if (change.status === 'FAILED') return failureNote(change.failure);
  return typeof change.reason === 'string' && change.reason.trim() !== '' ? change.reason.slice(0, maxNoteLength) : undefined;
}

function failureNote(failure: CaughtError | undefined): string {
  const name = failure?.Error;
  if (!(workflowErrorNames as readonly unknown[]).includes(name) || typeof failure?.Cause !== 'string') return genericFailureNote;
  try {
    const cause = JSON.parse(failure.Cause) as { errorType?: unknown; errorMessage?: unknown };
    if (cause.errorType === name && typeof cause.errorMessage === 'string' && cause.errorMessage.trim() !== '') {
      return cause.errorMessage.slice(0, maxNoteLength);
    }
  } catch {
    // Not a Lambda error's cause: the generic note.
  }
  return genericFailureNote;
}
