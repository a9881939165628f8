import { randomUUID } from 'node:crypto';
import { EventBridgeError } from './errors';
import { constraint, list, namePattern, overLimit, page, requiredText, text, validation, type Input } from './input';
import { EventPattern } from './event-pattern';
import type { EventBridgeEvent, EventBridgeStore, EventBus, Rule, RuleState, Target } from './store';

export interface EventBridgeIdentity {
  accountId: string;
  region: string;
}

export interface EventBridgeLimits {
  /** Bytes of all a PutEvents call's entries together, counted as EventBridge counts them. */
  putEventsBytes: number;
}

const entriesPerPutEvents = 10;
const targetsPerRule = 5;
const rulesPerBus = 300;
const customBusesPerAccount = 100;
const ruleStates: RuleState[] = ['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'];
const requiredEventFields = ['id', 'account', 'source', 'time', 'region', 'resources', 'detail-type'];

/** Seconds since the epoch or an ISO 8601 string, as the SDK and the CLI send Time, as EventBridge's `time`. */
function eventTime(value: unknown): string | undefined {
  const date = value === undefined ? new Date() : new Date(typeof value === 'number' ? value * 1000 : String(value));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const utf8Bytes = (value: unknown) => (typeof value === 'string' ? Buffer.byteLength(value) : 0);

/** The size EventBridge counts for a PutEvents entry (user guide, "Calculating PutEvents event entry size"). */
function entrySize(entry: Input): number {
  const resources: unknown[] = Array.isArray(entry.Resources) ? entry.Resources : [];
  const time = entry.Time === undefined ? 0 : 14;
  const fields = utf8Bytes(entry.Source) + utf8Bytes(entry.DetailType) + utf8Bytes(entry.Detail);
  return time + fields + resources.reduce<number>((sum, resource) => sum + utf8Bytes(resource), 0);
}

/**
 * The EventBridge API over the store: each method takes an action's JSON input and returns its JSON output, or
 * throws an EventBridgeError. PutEvents hands every event it accepts to `accepted`, in the order of its entries.
 */
export class EventBridgeApi {
  constructor(
    private readonly store: EventBridgeStore,
    private readonly identity: EventBridgeIdentity,
    private readonly limits: EventBridgeLimits,
    private readonly accepted: (busName: string, event: EventBridgeEvent) => void,
  ) {
    if (!store.buses.some((bus) => bus.Name === 'default')) {
      store.buses.unshift(this.#newBus('default'));
      store.save();
    }
  }

  busArn(name: string): string {
    return `arn:aws:events:${this.identity.region}:${this.identity.accountId}:event-bus/${name}`;
  }

  ruleArn(busName: string, ruleName: string): string {
    const path = busName === 'default' ? ruleName : `${busName}/${ruleName}`;
    return `arn:aws:events:${this.identity.region}:${this.identity.accountId}:rule/${path}`;
  }

  /** The bus an input names by `EventBusName` (a name or an ARN), `default` when it names none. */
  busNameOf(input: Input): string {
    const name = text(input, 'EventBusName', { max: 1600 }) ?? 'default';
    return /^arn:aws[\w-]*:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(name)?.[1] ?? name;
  }

  /** `deny` says why the caller may not put events on a bus, or undefined when it may. */
  putEvents(input: Input, deny: (busArn: string) => string | undefined = () => undefined) {
    const entries = (list(input, 'Entries') ?? []) as Input[];
    if (entries.length === 0 || entries.length > entriesPerPutEvents) {
      throw constraint('entries', `${entries.length} entries`, `have length between 1 and ${entriesPerPutEvents}`);
    }
    if (entries.reduce((sum, entry) => sum + entrySize(entry), 0) > this.limits.putEventsBytes) {
      throw validation('Total size of the entries in the request is over the limit.');
    }
    const results = entries.map((entry) => this.#acceptEntry(entry, deny));
    const accepted = results.flatMap((result) => ('event' in result ? [result] : []));
    for (const { busName, event } of accepted) this.accepted(busName, event);
    return {
      FailedEntryCount: results.length - accepted.length,
      Entries: results.map((result) => ('event' in result ? { EventId: result.event.id } : result)),
    };
  }

  #acceptEntry(entry: Input, deny: (busArn: string) => string | undefined) {
    const failed = (ErrorCode: string, ErrorMessage: string) => ({ ErrorCode, ErrorMessage });
    const required = (field: string) => failed('InvalidArgument', `Parameter ${field} is not valid. Reason: ${field} is a required argument.`);
    for (const field of ['Source', 'DetailType', 'Detail']) if (typeof entry[field] !== 'string' || entry[field] === '') return required(field);
    const busName = this.busNameOf(entry);
    const denied = deny(this.busArn(busName));
    if (denied) return failed('AccessDeniedException', denied);
    if (!this.store.buses.some((bus) => bus.Name === busName)) return failed('ResourceNotFoundException', `Event bus ${busName} does not exist.`);
    if ((entry.Source as string).startsWith('aws.')) return failed('NotAuthorizedForSourceException', 'Not authorized for the source.');
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail as string);
    } catch {
      detail = undefined;
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return failed('MalformedDetail', 'Detail is malformed.');
    const time = eventTime(entry.Time);
    if (!time) return failed('InvalidArgument', 'Parameter Time is not valid. Reason: give seconds since the epoch or an ISO 8601 time.');
    const resources = entry.Resources ?? [];
    if (!Array.isArray(resources) || !resources.every((resource) => typeof resource === 'string')) {
      return failed('InvalidArgument', 'Parameter Resources is not valid. Reason: Resources is a list of ARNs.');
    }
    return { busName, event: this.#event(entry.Source as string, entry.DetailType as string, resources as string[], detail as Record<string, unknown>, time) };
  }

  /** An AWS service's own event, such as Step Functions' status changes: it goes to the default bus, as on AWS. */
  putServiceEvent(source: `aws.${string}`, detailType: string, resources: string[], detail: Record<string, unknown>): EventBridgeEvent {
    const event = this.#event(source, detailType, resources, detail, eventTime(undefined) as string);
    this.accepted('default', event);
    return event;
  }

  #event(source: string, detailType: string, resources: string[], detail: Record<string, unknown>, time: string): EventBridgeEvent {
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': detailType,
      source,
      account: this.identity.accountId,
      time,
      region: this.identity.region,
      resources,
      detail,
    };
  }

  createEventBus(input: Input) {
    const name = requiredText(input, 'Name', { max: 256, pattern: /^[/.\-_A-Za-z0-9]+$/ });
    const description = text(input, 'Description', { max: 512 });
    if (name.includes('/')) throw validation(`Event bus name ${name} is not valid: only partner event buses have a / in their name.`);
    if (this.store.buses.some((bus) => bus.Name === name)) throw new EventBridgeError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
    if (this.store.buses.length - 1 >= customBusesPerAccount) throw overLimit();
    const bus = this.#newBus(name, description);
    this.store.buses.push(bus);
    this.store.save();
    return { EventBusArn: bus.Arn, Description: bus.Description };
  }

  listEventBuses(input: Input) {
    const prefix = text(input, 'NamePrefix') ?? '';
    const { items, NextToken } = page(
      this.store.buses.filter((bus) => bus.Name.startsWith(prefix)).sort((a, b) => a.Name.localeCompare(b.Name)),
      input,
    );
    return { EventBuses: items, NextToken };
  }

  putRule(input: Input) {
    const name = requiredText(input, 'Name', { max: 64, pattern: namePattern });
    const busName = this.#existingBus(input);
    if (input.ScheduleExpression !== undefined) {
      throw validation('The local EventBridge runs no schedules: give the rule an EventPattern instead of a ScheduleExpression.');
    }
    const eventPattern = text(input, 'EventPattern', { max: 4096 });
    if (eventPattern === undefined) throw validation('Parameter(s) EventPattern or ScheduleExpression must be specified.');
    EventPattern.parse(eventPattern);
    const state = (input.State ?? 'ENABLED') as RuleState;
    if (!ruleStates.includes(state)) throw constraint('state', state, `satisfy enum value set: [${ruleStates.join(', ')}]`);
    const arn = this.ruleArn(busName, name);
    const existing = this.store.rules.find((rule) => rule.Arn === arn);
    if (!existing && this.store.rules.filter((rule) => rule.EventBusName === busName).length >= rulesPerBus) {
      throw overLimit();
    }
    const rule: Rule = {
      Name: name,
      Arn: arn,
      EventBusName: busName,
      EventPattern: eventPattern,
      State: state,
      Description: text(input, 'Description', { max: 512 }),
      RoleArn: text(input, 'RoleArn', { max: 1600 }),
      CreatedBy: this.identity.accountId,
      Targets: existing?.Targets ?? [],
    };
    if (existing) this.store.rules.splice(this.store.rules.indexOf(existing), 1, rule);
    else this.store.rules.push(rule);
    this.store.save();
    return { RuleArn: arn };
  }

  describeRule(input: Input) {
    const { Targets: _targets, ...rule } = this.#existingRule(input, 'Name');
    return rule;
  }

  listRules(input: Input) {
    const busName = this.#existingBus(input);
    const prefix = text(input, 'NamePrefix', { max: 64 }) ?? '';
    const rules = this.store.rules
      .filter((rule) => rule.EventBusName === busName && rule.Name.startsWith(prefix))
      .sort((a, b) => a.Name.localeCompare(b.Name))
      .map(({ Targets: _targets, CreatedBy: _createdBy, ...rule }) => rule);
    const { items, NextToken } = page(rules, input);
    return { Rules: items, NextToken };
  }

  deleteRule(input: Input) {
    const name = requiredText(input, 'Name', { max: 64, pattern: namePattern });
    const busName = this.#existingBus(input);
    const rule = this.store.rules.find((candidate) => candidate.Arn === this.ruleArn(busName, name));
    if (!rule) return {};
    if (rule.Targets.length > 0) throw validation("Rule can't be deleted since it has targets.");
    this.store.rules.splice(this.store.rules.indexOf(rule), 1);
    this.store.save();
    return {};
  }

  putTargets(input: Input) {
    const rule = this.#existingRule(input, 'Rule');
    const targets = (list(input, 'Targets') ?? []) as Input[];
    if (targets.length === 0 || targets.length > 10) throw constraint('targets', `${targets.length} targets`, 'have length between 1 and 10');
    const checked = targets.map((target) => this.#target(target));
    const kept = rule.Targets.filter((target) => !checked.some((replacement) => replacement.Id === target.Id));
    if (kept.length + checked.length > targetsPerRule) throw overLimit();
    rule.Targets = [...kept, ...checked];
    this.store.save();
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  listTargetsByRule(input: Input) {
    const { items, NextToken } = page(this.#existingRule(input, 'Rule').Targets, input);
    return { Targets: items, NextToken };
  }

  removeTargets(input: Input) {
    const rule = this.#existingRule(input, 'Rule');
    const ids = list(input, 'Ids') ?? [];
    if (ids.length === 0 || ids.length > 100) throw constraint('ids', `${ids.length} ids`, 'have length between 1 and 100');
    rule.Targets = rule.Targets.filter((target) => !ids.includes(target.Id));
    this.store.save();
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  testEventPattern(input: Input) {
    const pattern = EventPattern.parse(requiredText(input, 'EventPattern', { max: 4096 }));
    const eventText = requiredText(input, 'Event', { max: Infinity });
    let event: unknown;
    try {
      event = JSON.parse(eventText);
    } catch {
      throw validation('Parameter Event is not valid. Reason: Event is not JSON.');
    }
    const missing = requiredEventFields.filter((field) => typeof event !== 'object' || event === null || !(field in event));
    if (missing.length > 0) throw validation(`Parameter Event is not valid. Reason: the event has no ${missing.join(', ')}.`);
    return { Result: pattern.matches(event) };
  }

  #newBus(name: string, description?: string): EventBus {
    const now = Math.floor(Date.now() / 1000);
    return { Name: name, Arn: this.busArn(name), Description: description, CreationTime: now, LastModifiedTime: now };
  }

  #existingBus(input: Input): string {
    const name = this.busNameOf(input);
    if (!this.store.buses.some((bus) => bus.Name === name)) throw new EventBridgeError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
    return name;
  }

  #existingRule(input: Input, key: 'Name' | 'Rule'): Rule {
    const name = requiredText(input, key, { max: 64, pattern: namePattern });
    const busName = this.#existingBus(input);
    const rule = this.store.rules.find((candidate) => candidate.Arn === this.ruleArn(busName, name));
    if (!rule) throw new EventBridgeError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${busName}.`);
    return rule;
  }

  #target(input: Input): Target {
    const id = requiredText(input, 'Id', { max: 64, pattern: namePattern });
    const arn = requiredText(input, 'Arn', { max: 1600 });
    if (input.InputTransformer !== undefined) throw validation(`Target ${id}: the local EventBridge does not support InputTransformer; use Input or InputPath.`);
    const targetInput = text(input, 'Input', { max: 8192 });
    const inputPath = text(input, 'InputPath', { max: 256 });
    if (targetInput !== undefined && inputPath !== undefined) throw validation(`Target ${id}: give Input or InputPath, not both.`);
    if (targetInput !== undefined) {
      try {
        JSON.parse(targetInput);
      } catch {
        throw validation(`Target ${id}: Input must be valid JSON text.`);
      }
    }
    if (inputPath !== undefined && !inputPath.startsWith('$')) throw validation(`Target ${id}: InputPath must be a JSONPath starting with $, got ${inputPath}.`);
    const retry = (input.RetryPolicy ?? {}) as Input;
    const bounded = (key: string, min: number, max: number) => {
      const value = retry[key];
      if (value !== undefined && !(Number.isInteger(value) && (value as number) >= min && (value as number) <= max)) {
        throw constraint(`targets.member.retryPolicy.${key[0].toLowerCase()}${key.slice(1)}`, value, `have value between ${min} and ${max}`);
      }
      return value as number | undefined;
    };
    const retryPolicy = { MaximumRetryAttempts: bounded('MaximumRetryAttempts', 0, 185), MaximumEventAgeInSeconds: bounded('MaximumEventAgeInSeconds', 60, 86_400) };
    const deadLetterArn = text((input.DeadLetterConfig ?? {}) as Input, 'Arn', { max: 1600 });
    return {
      Id: id,
      Arn: arn,
      RoleArn: text(input, 'RoleArn', { max: 1600 }),
      Input: targetInput,
      InputPath: inputPath,
      RetryPolicy: input.RetryPolicy === undefined ? undefined : retryPolicy,
      DeadLetterConfig: deadLetterArn === undefined ? undefined : { Arn: deadLetterArn },
    };
  }
}
