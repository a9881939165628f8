import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { awsClientConfig } from './aws-client-config';

/**
 * The sales view: orders per day and per cake, cancellations by reason, the average rating, and the median time
 * from order to fulfilment and from fulfilment to delivery, kept in DynamoDB from the order events.
 *
 * Why this design. Events arrive at least once and in any order, and the view must run on every DynamoDB the shop
 * runs on, including the one-machine target's, which has no TransactWriteItems; so the view is kept with
 * single-item conditional writes, in two steps:
 *
 * 1. The order's item (`order#<orderId>` / `order`) merges the event's facts (timestamps, cake, reason, rating)
 *    under a version condition, and records the event's `eventId` in `eventIds`. A copy whose eventId is already
 *    there changes nothing; two events of one order racing cannot both win, the loser reads again.
 * 2. The view's figures are *contributions* derived from the order's merged facts alone, never from the arrival
 *    order: `<orderId>:placed` (an order and its cakes, on the day it was placed), `<orderId>:cancelled`,
 *    `<orderId>:rated`, `<orderId>:fulfilled` (order-to-fulfilment time, once both times are known) and
 *    `<orderId>:delivered` (fulfilment-to-delivery time). Each is added to its day's item (`view` / `day#<date>`,
 *    UTC) with `ADD`, on condition that the day's `applied` set does not hold its id yet, and adds the id in the same
 *    write. So a contribution counts once however often it is offered.
 *
 * Every event offers all its order's contributions again, so a handler that died between the two steps is made
 * good by the event's retry (or any later event of the order), and a duration is counted whichever of its two
 * events comes last. Events out of order, or delivered twice, give the same view.
 *
 * Medians come from histograms: each day's item counts durations in buckets of whole seconds, exact below 1,000 s
 * and rounded down to three significant figures above (under 1% off), so a median over any days is read from the
 * summed buckets without keeping every sample. A day's item grows with its contribution ids (about 45 bytes each,
 * five per order), which keeps it well under DynamoDB's 400 KB for a shop's day of up to ~1,500 orders.
 */

export const salesViewEventTypes = ['OrderPlaced', 'CakeFulfilled', 'OrderCancelled', 'OrderDelivered', 'FeedbackReceived'] as const;
export type SalesViewEventType = (typeof salesViewEventTypes)[number];

export const durationKinds = ['placedToFulfilled', 'fulfilledToDelivered'] as const;
export type DurationKind = (typeof durationKinds)[number];

/** An order event as the view reads it: the EventBridge envelope's detail-type and the fields of its detail. */
export interface SalesEvent {
  type: SalesViewEventType;
  eventId: string;
  orderId: string;
  occurredAt: string;
  sequence: number;
  productId?: string;
  quantity?: number;
  reason?: string;
  rating?: number;
}

/** An event the view cannot read: retrying will not help, so it ends in the target's dead-letter queue. */
export class InvalidOrderEvent extends Error {
  override name = 'InvalidOrderEvent' as const;
}

const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Reads the fields the view uses from an EventBridge event, naming the first one that is wrong. */
export function parseSalesEvent(event: unknown): SalesEvent {
  const envelope = (event ?? {}) as { 'detail-type'?: unknown; detail?: Record<string, unknown> };
  const type = envelope['detail-type'];
  if (!salesViewEventTypes.includes(type as SalesViewEventType)) throw new InvalidOrderEvent(`detail-type ${JSON.stringify(type)} is not one the sales view reads`);
  const detail = envelope.detail ?? {};
  const text = (field: string): string => {
    const value = detail[field];
    if (typeof value !== 'string' || value === '') throw new InvalidOrderEvent(`${String(type)}: detail.${field} must be a non-empty string`);
    return value;
  };
  const whole = (field: string, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const value = detail[field];
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) throw new InvalidOrderEvent(`${String(type)}: detail.${field} must be a whole number from ${min} to ${max}`);
    return value as number;
  };
  const occurredAt = text('occurredAt');
  if (!isoInstant.test(occurredAt)) throw new InvalidOrderEvent(`${String(type)}: detail.occurredAt must be an ISO-8601 time in UTC`);
  const parsed: SalesEvent = { type: type as SalesViewEventType, eventId: text('eventId'), orderId: text('orderId'), occurredAt, sequence: whole('sequence', 0) };
  if (parsed.type === 'OrderPlaced') Object.assign(parsed, { productId: text('productId'), quantity: whole('quantity', 1) });
  if (parsed.type === 'OrderCancelled') parsed.reason = text('reason');
  if (parsed.type === 'FeedbackReceived') parsed.rating = whole('rating', 1, 5);
  return parsed;
}

/** What the view knows of one order, merged from its events in whatever order they came. */
export interface OrderFacts {
  orderId: string;
  version: number;
  eventIds: string[];
  /** The highest `sequence` applied: where the order's life has got to, as far as the view knows. */
  lastSequence: number;
  placedAt?: string;
  productId?: string;
  quantity?: number;
  fulfilledAt?: string;
  deliveredAt?: string;
  cancelledAt?: string;
  cancelReason?: string;
  ratedAt?: string;
  rating?: number;
}

/** The order's facts with the event merged in; each event sets only its own fields, so merging commutes. */
export function mergeEvent(facts: OrderFacts, event: SalesEvent): OrderFacts {
  const merged: OrderFacts = {
    ...facts,
    version: facts.version + 1,
    eventIds: [...facts.eventIds, event.eventId],
    lastSequence: Math.max(facts.lastSequence, event.sequence),
  };
  switch (event.type) {
    case 'OrderPlaced':
      return { ...merged, placedAt: event.occurredAt, productId: event.productId, quantity: event.quantity };
    case 'CakeFulfilled':
      return { ...merged, fulfilledAt: event.occurredAt };
    case 'OrderDelivered':
      return { ...merged, deliveredAt: event.occurredAt };
    case 'OrderCancelled':
      return { ...merged, cancelledAt: event.occurredAt, cancelReason: event.reason };
    case 'FeedbackReceived':
      return { ...merged, ratedAt: event.occurredAt, rating: event.rating };
  }
}

/** One addition to a day's figures, counted once by its id. */
export interface Contribution {
  id: string;
  day: string;
  /** Day-item attribute -> amount to add. */
  add: Record<string, number>;
}

const dayOf = (instant: string): string => instant.slice(0, 10);

/** Whole seconds, exact below 1,000 and rounded down to three significant figures above. */
export function durationBucket(seconds: number): number {
  const whole = Math.max(0, Math.floor(seconds));
  if (whole < 1000) return whole;
  const unit = 10 ** (Math.floor(Math.log10(whole)) - 2);
  return Math.floor(whole / unit) * unit;
}

const secondsBetween = (from: string, to: string): number => (Date.parse(to) - Date.parse(from)) / 1000;

/** Day-item attribute names; the part after the prefix is a cake, a reason or a bucket. */
export const dayAttributes = {
  orders: 'orders',
  cakes: 'cakes',
  ordersOfCake: 'ordersOf:',
  cakesOfCake: 'cakesOf:',
  cancelled: 'cancelled:',
  ratingSum: 'ratingSum',
  ratingCount: 'ratingCount',
  duration: (kind: DurationKind) => `${kind}:`,
} as const;

/** Everything the order adds to the view, as far as its facts go: a function of the facts alone. */
export function contributionsOf(facts: OrderFacts): Contribution[] {
  const contributions: Contribution[] = [];
  const id = (what: string) => `${facts.orderId}:${what}`;
  if (facts.placedAt && facts.productId && facts.quantity !== undefined) {
    contributions.push({
      id: id('placed'),
      day: dayOf(facts.placedAt),
      add: {
        [dayAttributes.orders]: 1,
        [dayAttributes.cakes]: facts.quantity,
        [`${dayAttributes.ordersOfCake}${facts.productId}`]: 1,
        [`${dayAttributes.cakesOfCake}${facts.productId}`]: facts.quantity,
      },
    });
  }
  if (facts.cancelledAt && facts.cancelReason) {
    contributions.push({ id: id('cancelled'), day: dayOf(facts.cancelledAt), add: { [`${dayAttributes.cancelled}${facts.cancelReason}`]: 1 } });
  }
  if (facts.ratedAt && facts.rating !== undefined) {
    contributions.push({ id: id('rated'), day: dayOf(facts.ratedAt), add: { [dayAttributes.ratingSum]: facts.rating, [dayAttributes.ratingCount]: 1 } });
  }
  if (facts.placedAt && facts.fulfilledAt) {
    const bucket = durationBucket(secondsBetween(facts.placedAt, facts.fulfilledAt));
    contributions.push({ id: id('fulfilled'), day: dayOf(facts.fulfilledAt), add: { [`${dayAttributes.duration('placedToFulfilled')}${bucket}`]: 1 } });
  }
  if (facts.fulfilledAt && facts.deliveredAt) {
    const bucket = durationBucket(secondsBetween(facts.fulfilledAt, facts.deliveredAt));
    contributions.push({ id: id('delivered'), day: dayOf(facts.deliveredAt), add: { [`${dayAttributes.duration('fulfilledToDelivered')}${bucket}`]: 1 } });
  }
  return contributions;
}

export interface DayFigures {
  day: string;
  orders: number;
  cakes: number;
}

export interface CakeFigures {
  productId: string;
  orders: number;
  cakes: number;
}

export interface MedianFigures {
  samples: number;
  /** Undefined until there is a sample. */
  medianSeconds?: number;
}

/** The whole view, summed over its days. */
export interface SalesView {
  days: DayFigures[];
  cakes: CakeFigures[];
  cancellations: { reason: string; count: number }[];
  rating: { count: number; sum: number; average?: number };
  durations: Record<DurationKind, MedianFigures>;
}

/** The median of a histogram (bucket -> count): the middle sample, or the mean of the two middle ones. */
export function medianOf(histogram: Map<number, number>): MedianFigures {
  const buckets = [...histogram.entries()].filter(([, count]) => count > 0).sort(([a], [b]) => a - b);
  const samples = buckets.reduce((sum, [, count]) => sum + count, 0);
  if (samples === 0) return { samples };
  const nth = (index: number): number => {
    let seen = 0;
    for (const [bucket, count] of buckets) {
      seen += count;
      if (index < seen) return bucket;
    }
    return buckets[buckets.length - 1][0];
  };
  const middle = Math.floor(samples / 2);
  return { samples, medianSeconds: samples % 2 === 1 ? nth(middle) : (nth(middle - 1) + nth(middle)) / 2 };
}

/** Sums the day items into the view; attributes it does not know (the `applied` set, the keys) are left out. */
export function summarize(dayItems: Record<string, unknown>[]): SalesView {
  const days: DayFigures[] = [];
  const cakes = new Map<string, CakeFigures>();
  const cancellations = new Map<string, number>();
  const rating = { count: 0, sum: 0 };
  const histograms: Record<DurationKind, Map<number, number>> = { placedToFulfilled: new Map(), fulfilledToDelivered: new Map() };
  const cake = (productId: string): CakeFigures => {
    const figures = cakes.get(productId) ?? { productId, orders: 0, cakes: 0 };
    cakes.set(productId, figures);
    return figures;
  };
  for (const item of dayItems) {
    const day = String(item.sk).replace(/^day#/, '');
    const count = (name: string): number => (typeof item[name] === 'number' ? (item[name] as number) : 0);
    if (count(dayAttributes.orders) > 0) days.push({ day, orders: count(dayAttributes.orders), cakes: count(dayAttributes.cakes) });
    rating.count += count(dayAttributes.ratingCount);
    rating.sum += count(dayAttributes.ratingSum);
    for (const [name, value] of Object.entries(item)) {
      if (typeof value !== 'number') continue;
      if (name.startsWith(dayAttributes.ordersOfCake)) cake(name.slice(dayAttributes.ordersOfCake.length)).orders += value;
      else if (name.startsWith(dayAttributes.cakesOfCake)) cake(name.slice(dayAttributes.cakesOfCake.length)).cakes += value;
      else if (name.startsWith(dayAttributes.cancelled)) {
        const reason = name.slice(dayAttributes.cancelled.length);
        cancellations.set(reason, (cancellations.get(reason) ?? 0) + value);
      } else {
        for (const kind of durationKinds) {
          const prefix = dayAttributes.duration(kind);
          if (!name.startsWith(prefix)) continue;
          const bucket = Number(name.slice(prefix.length));
          histograms[kind].set(bucket, (histograms[kind].get(bucket) ?? 0) + value);
        }
      }
    }
  }
  return {
    days: days.sort((a, b) => a.day.localeCompare(b.day)),
    cakes: [...cakes.values()].sort((a, b) => b.orders - a.orders || a.productId.localeCompare(b.productId)),
    cancellations: [...cancellations.entries()].map(([reason, count]) => ({ reason, count })).sort((a, b) => a.reason.localeCompare(b.reason)),
    rating: { ...rating, average: rating.count > 0 ? rating.sum / rating.count : undefined },
    durations: { placedToFulfilled: medianOf(histograms.placedToFulfilled), fulfilledToDelivered: medianOf(histograms.fulfilledToDelivered) },
  };
}

export type ApplyOutcome = 'applied' | 'duplicate';

const viewPartition = 'view';
const orderKey = (orderId: string) => ({ pk: `order#${orderId}`, sk: 'order' });
const dayKey = (day: string) => ({ pk: viewPartition, sk: `day#${day}` });

/** How often an order's item is read again after another event of the same order wrote it first. */
const maxVersionConflicts = 10;

const defaultClient = DynamoDBDocumentClient.from(new DynamoDBClient(awsClientConfig), { marshallOptions: { removeUndefinedValues: true } });

/** The sales view table: GetItem and conditional UpdateItem to apply events, one Query to read it. */
export class SalesViewRepository {
  constructor(
    private readonly tableName: string,
    private readonly client: DynamoDBDocumentClient = defaultClient,
  ) {}

  /** Applies an order event, counting each of its order's contributions once however often it comes. */
  async apply(event: SalesEvent): Promise<ApplyOutcome> {
    for (let attempt = 0; attempt < maxVersionConflicts; attempt++) {
      const facts = await this.#facts(event.orderId);
      if (facts.eventIds.includes(event.eventId)) {
        // Offered again all the same: the first delivery may have stopped before the day items.
        await this.#addContributions(facts);
        return 'duplicate';
      }
      const merged = mergeEvent(facts, event);
      if (!(await this.#saveFacts(merged, facts.version))) continue;
      await this.#addContributions(merged);
      return 'applied';
    }
    throw new Error(`Order ${event.orderId}'s view item changed under ${maxVersionConflicts} attempts in a row to apply ${event.eventId}`);
  }

  async read(): Promise<SalesView> {
    const items: Record<string, unknown>[] = [];
    const pages = paginateQuery(
      { client: this.client },
      { TableName: this.tableName, KeyConditionExpression: 'pk = :view AND begins_with(sk, :day)', ExpressionAttributeValues: { ':view': viewPartition, ':day': 'day#' } },
    );
    for await (const page of pages) items.push(...(page.Items ?? []));
    return summarize(items);
  }

  async #facts(orderId: string): Promise<OrderFacts> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: orderKey(orderId), ConsistentRead: true }));
    if (!Item) return { orderId, version: 0, eventIds: [], lastSequence: 0 };
    const { pk: _pk, sk: _sk, eventIds, ...facts } = Item as OrderFacts & { pk: string; sk: string; eventIds?: Set<string> };
    return { ...facts, eventIds: [...(eventIds ?? [])] };
  }

  /** Writes the merged facts unless another event of the order wrote its item since it was read. */
  async #saveFacts(facts: OrderFacts, readVersion: number): Promise<boolean> {
    const { eventIds, orderId: _orderId, ...fields } = facts;
    const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: orderKey(facts.orderId),
          UpdateExpression: `SET ${entries.map((_, index) => `#f${index} = :f${index}`).join(', ')}, orderId = :orderId, eventIds = :eventIds`,
          ConditionExpression: readVersion === 0 ? 'attribute_not_exists(pk)' : 'version = :readVersion',
          ExpressionAttributeNames: Object.fromEntries(entries.map(([name], index) => [`#f${index}`, name])),
          ExpressionAttributeValues: {
            ...Object.fromEntries(entries.map(([, value], index) => [`:f${index}`, value])),
            ':orderId': facts.orderId,
            ':eventIds': new Set(eventIds),
            ...(readVersion === 0 ? {} : { ':readVersion': readVersion }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  /** Adds each contribution to its day, unless the day has it already. */
  async #addContributions(facts: OrderFacts): Promise<void> {
    for (const contribution of contributionsOf(facts)) {
      const entries = Object.entries(contribution.add);
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: dayKey(contribution.day),
            UpdateExpression: `ADD ${entries.map((_, index) => `#a${index} :a${index}`).join(', ')}, applied :id`,
            ConditionExpression: 'NOT contains(applied, :idText)',
            ExpressionAttributeNames: Object.fromEntries(entries.map(([name], index) => [`#a${index}`, name])),
            ExpressionAttributeValues: {
              ...Object.fromEntries(entries.map(([, amount], index) => [`:a${index}`, amount])),
              ':id': new Set([contribution.id]),
              ':idText': contribution.id,
            },
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') continue;
        throw error;
      }
    }
  }
}
