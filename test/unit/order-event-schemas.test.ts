import * as fs from 'node:fs';
import * as path from 'node:path';
import { orderEvents, orderEventSequence, orderEventTypes } from '../../infra/order-events';
import { resolveOrderDefinition } from '../../infra/order-definition';
import { resolveSettings } from '../../infra/settings';
import { handlers, type HandlerName } from '../../infra/wiring';
import { orderEventSchemas, schemaErrors } from '../support/order-event-schemas';

interface Entry {
  EventBusName: string;
  Source: string;
  DetailType: string;
  Detail: Record<string, unknown>;
}

const definition = JSON.parse(
  resolveOrderDefinition(
    Object.fromEntries(Object.keys(handlers).map((handler) => [handler, `arn:aws:lambda:us-east-1:000000000000:function:${handler}`])) as Record<HandlerName, string>,
    resolveSettings(),
  ),
) as { States: Record<string, { Resource?: string; Parameters?: { Entries?: Entry[] } }> };
const published = Object.entries(definition.States).flatMap(([state, { Resource, Parameters }]) =>
  Resource === 'arn:aws:states:::events:putEvents' ? (Parameters?.Entries ?? []).map((entry) => [state, entry] as const) : [],
);

describe('the order event schemas', () => {
  it.each(orderEventTypes.map((type) => [type]))('%s has a schema file whose example fits it', (type) => {
    // GIVEN the schema of a detail type, WHEN its examples are validated against it
    const { examples } = orderEventSchemas[type];
    // THEN there is one, and it fits
    expect(examples).toHaveLength(1);
    expect(schemaErrors(type, examples[0])).toEqual([]);
  });

  it.each(orderEventTypes.map((type) => [type]))('%s refuses a field its schema does not name, so no personal data slips in', (type) => {
    // GIVEN the example with the customer's email added
    const withEmail = { ...orderEventSchemas[type].examples[0], email: 'ada@example.com' };
    // WHEN it is validated, THEN it fails
    expect(schemaErrors(type, withEmail).join('\n')).toContain('must NOT have unevaluated properties');
  });

  it('has a file for every type and no other', () => {
    // GIVEN the files in infra/events, WHEN they are listed, THEN each is a type's schema or the shared envelope
    const files = fs.readdirSync(path.join(__dirname, '..', '..', 'infra', 'events')).sort();
    expect(files).toEqual([...orderEventTypes.map((type) => `${type}.schema.json`), 'order-event.schema.json'].sort());
  });
});

describe('the events the order workflow publishes', () => {
  it('publishes every detail type of the shop but OrderStuck, which the workflow cannot see', () => {
    // GIVEN every entry of every Publish state, WHEN their detail types are collected
    const types = new Set(published.map(([, entry]) => entry.DetailType));
    // THEN each type but OrderStuck is published somewhere
    expect([...types].sort()).toEqual(orderEventTypes.filter((type) => type !== 'OrderStuck').sort());
  });

  it.each(published.map(([state, entry]) => [state, entry.DetailType, entry]))('"%s" publishes %s on the order bus with its source, schema version and sequence', (_state, type, entry) => {
    // GIVEN a Publish state's entry, THEN it goes to the order events bus with the shop's source
    expect(entry.EventBusName).toMatch(new RegExp(`:event-bus/${orderEvents.busName}$`));
    expect(entry.Source).toBe(orderEvents.source);
    // AND its detail has the fields of the envelope, and its type's sequence
    expect(entry.Detail).toEqual(
      expect.objectContaining({
        schemaVersion: orderEvents.schemaVersion,
        'eventId.$': `States.Format('{}:${type}', $.orderId)`,
        'orderId.$': '$.orderId',
        'occurredAt.$': '$$.State.EnteredTime',
        sequence: orderEventSequence[type as keyof typeof orderEventSequence],
      }),
    );
    // AND every other field it fills is one its schema names
    const fields = Object.keys(entry.Detail).map((key) => key.replace(/\.\$$/, ''));
    const schema = orderEventSchemas[type as keyof typeof orderEventSchemas] as unknown as { properties: Record<string, unknown> };
    const envelope = ['schemaVersion', 'eventId', 'orderId', 'occurredAt', 'sequence'];
    expect(fields.filter((field) => !envelope.includes(field) && !(field in schema.properties))).toEqual([]);
  });
});
