import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { orderEventSchemaFile, orderEventTypes, type OrderEventType } from '../../infra/order-events';

const repositoryRoot = path.join(__dirname, '..', '..');
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(repositoryRoot, file), 'utf8')) as Record<string, unknown>;

export interface OrderEventSchema {
  $id: string;
  examples: Record<string, unknown>[];
}

/** The schema of each detail type, from infra/events/, as consumers would read them. */
export const orderEventSchemas = Object.fromEntries(orderEventTypes.map((type) => [type, readJson(orderEventSchemaFile(type))])) as unknown as Record<
  OrderEventType,
  OrderEventSchema
>;

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
ajv.addSchema(readJson('infra/events/order-event.schema.json'));
for (const schema of Object.values(orderEventSchemas)) ajv.addSchema(schema as unknown as Record<string, unknown>);

/** Why a detail does not fit its type's schema: ajv's messages, or [] when it fits. */
export function schemaErrors(type: string, detail: unknown): string[] {
  if (!(orderEventTypes as string[]).includes(type)) return [`no schema for detail type ${type}`];
  const validate = ajv.getSchema(orderEventSchemas[type as OrderEventType].$id)!;
  return validate(detail) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message} ${JSON.stringify(error.params)}`);
}
