import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { LinkStep, Order, OrderEventDetail, OrderStatus, TaskTokenField, TimelineEntry, UnsentMessage } from './order';
import { codeHashField, unsentMessageField } from './order';
import { awsClientConfig } from './aws-client-config';

const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient(awsClientConfig), {
  marshallOptions: { removeUndefinedValues: true },
});

export interface Transition {
  from: readonly OrderStatus[];
  to: OrderStatus;
  at: string;
  note?: string;
  /** Extra attributes written in the same conditional update. */
  set?: Record<string, unknown>;
}

/** The orders table. Every status change is one conditional write, so two racing requests cannot both win. */
export class OrderRepository {
  constructor(
    private readonly tableName: string,
    private readonly client: DynamoDBDocumentClient = documentClient,
  ) {}

  async get(orderId: string): Promise<Order | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { orderId }, ConsistentRead: true }));
    return result.Item as Order | undefined;
  }

  async create(order: Order): Promise<void> {
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: order, ConditionExpression: 'attribute_not_exists(orderId)' }),
    );
  }

  async delete(orderId: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { orderId } }));
  }

  /** Adds a valid code for a step; earlier codes stay valid so an older email's link keeps working. */
  async addLinkCodeHash(orderId: string, step: LinkStep, hash: string): Promise<boolean> {
    return this.conditionally(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { orderId },
        UpdateExpression: 'SET #hashes = list_append(if_not_exists(#hashes, :empty), :hash)',
        ConditionExpression: 'attribute_exists(orderId)',
        ExpressionAttributeNames: { '#hashes': codeHashField[step] },
        ExpressionAttributeValues: { ':empty': [], ':hash': [hash] },
      }),
    );
  }

  /** Stores a task token only while the order is in one of `statuses`; returns the order, or undefined if it is not. */
  async storeTaskToken(orderId: string, field: TaskTokenField, token: string, statuses: readonly OrderStatus[]): Promise<Order | undefined> {
    const { condition, values } = statusIn(statuses);
    return this.updateReturningOrder(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { orderId },
        UpdateExpression: 'SET #token = :token',
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#token': field, '#status': 'status' },
        ExpressionAttributeValues: { ...values, ':token': token },
        ReturnValues: 'ALL_NEW',
      }),
    );
  }

  /** Moves the order from one of `from` to `to` and appends to the timeline; undefined when the order was not in `from`. */
  async transition(orderId: string, transition: Transition): Promise<Order | undefined> {
    const { condition, values } = statusIn(transition.from);
    const entry: TimelineEntry = { status: transition.to, at: transition.at, ...(transition.note ? { note: transition.note } : {}) };
    const names: Record<string, string> = { '#status': 'status' };
    const setValues: Record<string, unknown> = {};
    const assignments = ['#status = :to', 'updatedAt = :at', 'timeline = list_append(timeline, :entry)'];
    Object.entries(transition.set ?? {}).forEach(([attribute, value], index) => {
      if (value === undefined) return;
      names[`#set${index}`] = attribute;
      setValues[`:set${index}`] = value;
      assignments.push(`#set${index} = :set${index}`);
    });
    return this.updateReturningOrder(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { orderId },
        UpdateExpression: `SET ${assignments.join(', ')}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ...values, ...setValues, ':to': transition.to, ':at': transition.at, ':entry': [entry] },
        ReturnValues: 'ALL_NEW',
      }),
    );
  }

  /**
   * Reverts a transition this request made when the workflow could not be told about it. The condition on
   * status and updatedAt means a later change by someone else is never overwritten.
   */
  async undoTransition(changed: Order, back: OrderStatus, previousUpdatedAt: string, removeAttributes: readonly string[]): Promise<boolean> {
    const names: Record<string, string> = { '#status': 'status' };
    const removals = [`timeline[${changed.timeline.length - 1}]`];
    removeAttributes.forEach((attribute, index) => {
      names[`#remove${index}`] = attribute;
      removals.push(`#remove${index}`);
    });
    return this.conditionally(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { orderId: changed.orderId },
        UpdateExpression: `SET #status = :back, updatedAt = :previous REMOVE ${removals.join(', ')}`,
        ConditionExpression: '#status = :changed AND updatedAt = :changedAt',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':back': back, ':previous': previousUpdatedAt, ':changed': changed.status, ':changedAt': changed.updatedAt },
      }),
    );
  }

  /** Sets a status unless the order already has it, so a repeated workflow step adds one timeline entry, not two. */
  async setStatus(orderId: string, status: OrderStatus, at: string, note?: string): Promise<'changed' | 'unchanged' | 'missing'> {
    const entry: TimelineEntry = { status, at, ...(note ? { note } : {}) };
    const changed = await this.conditionally(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { orderId },
        UpdateExpression: 'SET #status = :status, updatedAt = :at, timeline = list_append(timeline, :entry)',
        ConditionExpression: 'attribute_exists(orderId) AND #status <> :status',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status, ':at': at, ':entry': [entry] },
      }),
    );
    if (changed) return 'changed';
    return (await this.get(orderId)) ? 'unchanged' : 'missing';
  }

  /** Records that a message was not sent; a repeat keeps the first time. False when there is no such order. */
  async recordUnsent(orderId: string, message: UnsentMessage, at: string): Promise<boolean> {
    return this.conditionally(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { orderId },
        UpdateExpression: 'SET #unsent = if_not_exists(#unsent, :at)',
        ConditionExpression: 'attribute_exists(orderId)',
        ExpressionAttributeNames: { '#unsent': unsentMessageField[message] },
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }

  /**
   * Records that the workflow gave up publishing these domain events (detail types) for the order. A string set, so
   * a retry of the record adds nothing twice. False when there is no such order.
   */
  async recordUnpublished(orderId: string, eventTypes: string[], details: Record<string, OrderEventDetail> = {}): Promise<boolean> {
    // Each event's detail as the Publish state built it, so ops can re-publish the very same event later. A retry of
    // the record writes the same detail again.
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':types': new Set(eventTypes) };
    const assignments: string[] = [];
    Object.entries(details).forEach(([type, detail], index) => {
      names[`#type${index}`] = type;
      values[`:detail${index}`] = detail;
      assignments.push(`unpublishedEventDetails.#type${index} = :detail${index}`);
    });
    if (assignments.length > 0) await this.ensureMap(orderId, 'unpublishedEventDetails');
    return this.conditionally(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { orderId },
        UpdateExpression: `ADD unpublishedEvents :types${assignments.length > 0 ? ` SET ${assignments.join(', ')}` : ''}`,
        ConditionExpression: 'attribute_exists(orderId)',
        ...(assignments.length > 0 ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
      }),
    );
  }

  /**
   * Takes an event off the order's unpublished list once ops re-published it. False when the order no longer lists
   * it (a repeat, or a second click that lost the race), so only one caller reports it as published.
   */
  async clearUnpublished(orderId: string, eventType: string): Promise<boolean> {
    return this.conditionally(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { orderId },
        UpdateExpression: 'DELETE unpublishedEvents :type REMOVE unpublishedEventDetails.#type',
        ConditionExpression: 'contains(unpublishedEvents, :name)',
        ExpressionAttributeNames: { '#type': eventType },
        ExpressionAttributeValues: { ':type': new Set([eventType]), ':name': eventType },
      }),
    );
  }

  /** Clears the record once the message has gone out; clearing twice is harmless. */
  async clearUnsent(orderId: string, message: UnsentMessage): Promise<void> {
    await this.conditionally(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { orderId },
        UpdateExpression: 'REMOVE #unsent',
        ConditionExpression: 'attribute_exists(orderId)',
        ExpressionAttributeNames: { '#unsent': unsentMessageField[message] },
      }),
    );
  }

  /** A map attribute must exist before a nested SET can write into it; a no-op when it does, or there is no order. */
  private async ensureMap(orderId: string, attribute: string): Promise<void> {
    await this.conditionally(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { orderId },
        UpdateExpression: 'SET #map = :empty',
        ConditionExpression: 'attribute_exists(orderId) AND attribute_not_exists(#map)',
        ExpressionAttributeNames: { '#map': attribute },
        ExpressionAttributeValues: { ':empty': {} },
      }),
    );
  }

  private async updateReturningOrder(command: UpdateCommand): Promise<Order | undefined> {
    try {
      const result = await this.client.send(command);
      return result.Attributes as Order;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  private async conditionally(command: UpdateCommand): Promise<boolean> {
    try {
      await this.client.send(command);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

function statusIn(statuses: readonly OrderStatus[]): { condition: string; values: Record<string, OrderStatus> } {
  const values: Record<string, OrderStatus> = {};
  statuses.forEach((status, index) => {
    values[`:from${index}`] = status;
  });
  return { condition: `#status IN (${Object.keys(values).join(', ')})`, values };
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
