import * as fs from 'node:fs';
import * as path from 'node:path';
import { repositoryRoot } from './function-defaults';
import { settings as settingSpecs, type Settings } from './settings';
import { orderEvents } from './order-events';
import { eventBusPlaceholder, functionPlaceholders, orderStateMachineFile, settingPlaceholders, type HandlerName } from './wiring';

const placeholderPattern = /\$\{([A-Za-z0-9]+)\}/g;

/**
 * statemachines/order.asl.json as both targets hand it over for substitution.
 *
 * CloudFormation's DefinitionSubstitutions replace each `${Name}` as plain text, before the definition is parsed
 * (see the Step Functions resource provider's DefinitionProcessor). A quoted "${RetryMaxAttempts}" would therefore
 * arrive as the string "40", which Step Functions rejects: Retry fields must be JSON numbers. The file keeps such a
 * placeholder quoted, so it stays JSON that tests and asl-validator can read, and this unquotes every placeholder of
 * a number setting that stands for a whole value; the text substitution then leaves a bare number.
 */
export function orderDefinitionTemplate(): string {
  let template = fs.readFileSync(path.join(repositoryRoot, orderStateMachineFile), 'utf8');
  for (const [placeholder, setting] of Object.entries(settingPlaceholders)) {
    if (typeof settingSpecs[setting].default === 'number') template = template.replaceAll(`"\${${placeholder}}"`, `\${${placeholder}}`);
  }
  return template;
}

/** What fills each setting placeholder: the setting as text, as DefinitionSubstitutions carry it. */
export function settingSubstitutions(settings: Settings): Record<string, string> {
  return Object.fromEntries(Object.entries(settingPlaceholders).map(([placeholder, setting]) => [placeholder, String(settings[setting])]));
}

/** Replaces each `${Name}` as CloudFormation does, and names any placeholder infra/wiring.ts does not define. */
export function substitute(template: string, values: Record<string, string>): string {
  const unknown = new Set<string>();
  const definition = template.replace(placeholderPattern, (whole, name: string) => {
    if (Object.hasOwn(values, name)) return values[name];
    unknown.add(name);
    return whole;
  });
  if (unknown.size > 0) {
    throw new Error(`${orderStateMachineFile} uses placeholders infra/wiring.ts does not define: ${[...unknown].join(', ')}`);
  }
  return definition;
}

/** The order events bus's ARN where no stack names it, in the account and region the engine assumes by default. */
export const defaultEventBusArn = `arn:aws:events:us-east-1:000000000000:event-bus/${orderEvents.busName}`;

/**
 * The order workflow with every placeholder filled: function ARNs from `functionArns`, the bus from `eventBusArn`,
 * the rest from the settings.
 */
export function resolveOrderDefinition(functionArns: Record<HandlerName, string>, settings: Settings, eventBusArn = defaultEventBusArn): string {
  const values: Record<string, string> = { ...settingSubstitutions(settings), [eventBusPlaceholder]: eventBusArn };
  for (const [placeholder, handler] of Object.entries(functionPlaceholders)) values[placeholder] = functionArns[handler];
  return substitute(orderDefinitionTemplate(), values);
}
