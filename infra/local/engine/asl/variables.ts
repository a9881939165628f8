/**
 * Workflow variables: how a state reaches the variables in scope, and the checks AWS makes when a state assigns them.
 * The variables ride on the context object under a symbol, so every path reader (`$x`, `$x.field`, intrinsic arguments)
 * finds them without another parameter, and `$$` never shows them.
 */
import { StatesError, VARIABLES, type ContextObject, type Json, type JsonObject } from './types';

/** Per the variables guide: 256 KiB for one variable and for one Assign field, 10 MiB for all of an execution's variables. */
export const VARIABLE_LIMIT_BYTES = 256 * 1024;
export const ASSIGN_LIMIT_BYTES = 256 * 1024;
export const ALL_VARIABLES_LIMIT_BYTES = 10 * 1024 * 1024;

export const NO_VARIABLES: Readonly<JsonObject> = Object.freeze({});

export function variablesOf(context: ContextObject | undefined): Readonly<JsonObject> {
  return context?.[VARIABLES] ?? NO_VARIABLES;
}

/** The context object with the variables in scope attached. */
export function withVariables(context: ContextObject, variables: Readonly<JsonObject>): ContextObject {
  if (variables !== NO_VARIABLES) context[VARIABLES] = variables;
  return context;
}

// A name as AWS allows it: a letter or underscore, then letters, digits or underscores.
const NAME = /^[\p{L}_][\p{L}\p{N}_]*$/u;

/** Whether `name` may be declared in Assign; `states` is reserved for `$states`. */
export function isVariableName(name: string): boolean {
  return NAME.test(name) && name !== 'states' && name.length <= 80;
}

const bytesOf = (value: Json) => Buffer.byteLength(JSON.stringify(value) ?? 'null', 'utf8');

/** Throws States.DataLimitExceeded when one assigned value or the whole Assign is over AWS's 256 KiB limits. */
export function assertAssignSize(assigned: JsonObject): void {
  let total = 0;
  for (const [name, value] of Object.entries(assigned)) {
    const bytes = bytesOf(value);
    if (bytes > VARIABLE_LIMIT_BYTES) {
      throw new StatesError('States.DataLimitExceeded', `The variable '${name}' is ${bytes} bytes, over the limit of ${VARIABLE_LIMIT_BYTES} bytes (256 KiB) for one variable.`);
    }
    total += bytes;
  }
  if (total > ASSIGN_LIMIT_BYTES) {
    throw new StatesError('States.DataLimitExceeded', `The Assign field assigns ${total} bytes, over the limit of ${ASSIGN_LIMIT_BYTES} bytes (256 KiB) for one Assign.`);
  }
}

/** Throws States.DataLimitExceeded when the variables an execution holds together are over 10 MiB. */
export function assertStoredSize(variables: Readonly<JsonObject>): void {
  const bytes = bytesOf(variables);
  if (bytes > ALL_VARIABLES_LIMIT_BYTES) {
    throw new StatesError('States.DataLimitExceeded', `The execution's variables take ${bytes} bytes, over the limit of ${ALL_VARIABLES_LIMIT_BYTES} bytes (10 MiB).`);
  }
}
