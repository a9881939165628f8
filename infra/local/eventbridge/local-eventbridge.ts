import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { JSONPath } from 'jsonpath-plus';
import { accessKeyOf, type LocalIam } from '../iam';
import { closeServer, listen, localHost, portSpecs, type PortSpec } from '../ports';
import { EventBridgeApi } from './api';
import { EventArchive, type ArchiveSpec } from './archive';
import { eventBridgeRetryDefaults, TargetDeliveries, type Deliver, type RetrySettings } from './delivery';
import { EventBridgeError } from './errors';
import { EventPattern } from './event-pattern';
import { Replays } from './replays';
import { DeadLetterStore, EventBridgeStore, type DeadLetter, type EventBridgeEvent, type Target } from './store';

export const eventBridgePortSpec: PortSpec = portSpecs.eventBridge;

export interface LocalEventBridgeOptions {
  /** 0 takes any free port. */
  port: number;
  /** Where the buses, rules and dead letters are kept across restarts; the stack keeps its data under `.local/`. */
  dataDir: string;
  deliver: Deliver;
  /** EventBridge's defaults (185 retries within 24 hours) unless given; a target's own RetryPolicy wins over both. */
  retry?: Partial<RetrySettings>;
  accountId?: string;
  region?: string;
  iam?: LocalIam;
  /** The PutEvents limit on the size of all its entries together, 256 KB unless given. */
  putEventsBytes?: number;
  /** Archives that keep the events of their bus, as the template's AWS::Events::Archive resources say. */
  archives?: ArchiveSpec[];
}

type Input = Record<string, unknown>;
type Action = (local: { api: EventBridgeApi; replays: Replays }, input: Input, deny: (resource: string) => string | undefined) => object;

/** `X-Amz-Target: AWSEvents.<Action>` -> what answers it. */
const actions: Record<string, Action> = {
  PutEvents: ({ api }, input, deny) => api.putEvents(input, deny),
  CreateEventBus: ({ api }, input) => api.createEventBus(input),
  ListEventBuses: ({ api }, input) => api.listEventBuses(input),
  PutRule: ({ api }, input) => api.putRule(input),
  DescribeRule: ({ api }, input) => api.describeRule(input),
  ListRules: ({ api }, input) => api.listRules(input),
  DeleteRule: ({ api }, input) => api.deleteRule(input),
  PutTargets: ({ api }, input) => api.putTargets(input),
  ListTargetsByRule: ({ api }, input) => api.listTargetsByRule(input),
  RemoveTargets: ({ api }, input) => api.removeTargets(input),
  TestEventPattern: ({ api }, input) => api.testEventPattern(input),
  ListArchives: ({ replays }, input) => replays.listArchives(input),
  DescribeArchive: ({ replays }, input) => replays.describeArchive(input),
  StartReplay: ({ replays }, input) => replays.startReplay(input),
  DescribeReplay: ({ replays }, input) => replays.describeReplay(input),
  ListReplays: ({ replays }, input) => replays.listReplays(input),
  CancelReplay: ({ replays }, input) => replays.cancelReplay(input),
};

/**
 * EventBridge over its JSON protocol, so `@aws-sdk/client-eventbridge` reaches it through AWS_ENDPOINT_URL_EVENTBRIDGE.
 * Each event PutEvents accepts goes to every ENABLED rule of its bus whose pattern matches it, and on to each of the
 * rule's targets through `deliver`, retried as the target's retry policy says; an event no retry could deliver is
 * kept as a dead letter. Calls signed by a function are checked against its role (`events:<Action>`).
 */
export class LocalEventBridge {
  #server: Server | undefined;
  readonly #store: EventBridgeStore;
  readonly #deadLetters: DeadLetterStore;
  readonly #deliveries: TargetDeliveries;
  readonly #api: EventBridgeApi;
  readonly #patterns = new Map<string, EventPattern>();
  readonly #archives: EventArchive[];
  readonly #replays: Replays;

  constructor(private readonly options: LocalEventBridgeOptions) {
    this.#store = new EventBridgeStore(options.dataDir);
    this.#deadLetters = new DeadLetterStore(options.dataDir);
    this.#archives = (options.archives ?? []).map((spec) => new EventArchive(options.dataDir, spec));
    this.#deliveries = new TargetDeliveries(options.deliver, this.#deadLetters, { ...eventBridgeRetryDefaults, ...options.retry });
    const { region, accountId } = { region: options.region ?? 'us-east-1', accountId: options.accountId ?? '123456789012' };
    this.#api = new EventBridgeApi(
      this.#store,
      { accountId, region },
      { putEventsBytes: options.putEventsBytes ?? 256 * 1024 },
      (busName, event) => this.#route(busName, event),
    );
    this.#replays = new Replays(
      options.dataDir,
      this.#archives.map((archive) => ({ archive, arn: `arn:aws:events:${region}:${accountId}:archive/${archive.spec.name}`, busArn: this.#api.busArn(archive.spec.busName) })),
      (name) => `arn:aws:events:${region}:${accountId}:replay/${name}`,
      (arn) => this.#api.busNameOf({ EventBusName: arn }),
      (ruleArn) => this.#store.rules.some((rule) => rule.Arn === ruleArn),
      (busName, event, ruleArns) => this.#route(busName, event, ruleArns),
    );
  }

  get endpoint(): string {
    return `http://${localHost}:${this.options.port}`;
  }

  async start(): Promise<void> {
    const server = createServer((request, response) => void this.#handle(request, response));
    this.options.port = await listen(server, this.options.port, eventBridgePortSpec);
    this.#server = server;
  }

  /** Stops answering, and drops the deliveries still waiting for a retry; those being attempted finish first. */
  async stop(): Promise<void> {
    if (this.#server) await closeServer(this.#server);
    this.#server = undefined;
    await this.#deliveries.stop();
  }

  /** Resolves once every event put so far has been delivered or dead-lettered. */
  idle(): Promise<void> {
    return this.#deliveries.idle();
  }

  /** The events that could not be delivered, oldest first, each with the error its target last gave. */
  deadLetters(): DeadLetter[] {
    return this.#deadLetters.list();
  }

  /**
   * PutEvents in-process, for the Step Functions engine's events:putEvents tasks: `deny` says why the caller (the
   * state machine's role) may not put events on a bus, as IAM would.
   */
  putEvents(input: Input, deny?: (busArn: string) => string | undefined): ReturnType<EventBridgeApi['putEvents']> {
    return this.#api.putEvents(input, deny);
  }

  /** Puts an AWS service's own event on the default bus, where rules such as the OrderStuck one pick it up. */
  putServiceEvent(source: `aws.${string}`, detailType: string, resources: string[], detail: Record<string, unknown>): EventBridgeEvent {
    return this.#api.putServiceEvent(source, detailType, resources, detail);
  }

  /** Creates a bus the deployment defines, unless it exists from an earlier start. */
  ensureEventBus(name: string): void {
    if (this.#api.listEventBuses({ NamePrefix: name }).EventBuses.some((bus) => bus.Name === name)) return;
    this.#api.createEventBus({ Name: name });
  }

  /**
   * Creates or updates a rule the deployment defines, with its targets, as CloudFormation would on each deploy: a
   * target the template no longer names is removed.
   */
  ensureRule(busName: string, rule: { name: string; eventPattern: string; state: 'ENABLED' | 'DISABLED'; targets: Target[] }): void {
    this.#api.putRule({ Name: rule.name, EventBusName: busName, EventPattern: rule.eventPattern, State: rule.state });
    const stale = this.#api.listTargetsByRule({ Rule: rule.name, EventBusName: busName }).Targets.filter((target) => !rule.targets.some((kept) => kept.Id === target.Id));
    if (stale.length > 0) this.#api.removeTargets({ Rule: rule.name, EventBusName: busName, Ids: stale.map((target) => target.Id) });
    if (rule.targets.length > 0) this.#api.putTargets({ Rule: rule.name, EventBusName: busName, Targets: rule.targets });
  }

  /** The events an archive has kept, oldest first. */
  archivedEvents(archiveName: string): EventBridgeEvent[] {
    const archive = this.#archives.find((candidate) => candidate.spec.name === archiveName);
    if (!archive) throw new Error(`No archive ${archiveName}; the deployment defines ${this.#archives.map((candidate) => candidate.spec.name).join(', ') || 'none'}`);
    return archive.events();
  }

  /** To the archives and to each matching rule of the bus; a replay's events only to the rules it filters on, if any. */
  #route(busName: string, event: EventBridgeEvent, ruleArns?: string[]): void {
    for (const archive of this.#archives) archive.offer(busName, event);
    for (const rule of this.#store.rules) {
      if (rule.EventBusName !== busName || rule.State === 'DISABLED' || (ruleArns && !ruleArns.includes(rule.Arn)) || !this.#pattern(rule.EventPattern).matches(event)) continue;
      for (const target of rule.Targets) this.#deliveries.enqueue({ rule, target, event, input: inputFor(target, event) });
    }
  }

  #pattern(text: string): EventPattern {
    let pattern = this.#patterns.get(text);
    if (!pattern) {
      pattern = EventPattern.parse(text);
      this.#patterns.set(text, pattern);
    }
    return pattern;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const send = (status: number, body: object) => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(body));
    };
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const target = String(request.headers['x-amz-target'] ?? '');
      const action = actions[target.replace(/^AWSEvents\./, '')];
      if (!target.startsWith('AWSEvents.') || !action) {
        throw new EventBridgeError('UnknownOperationException', `The local EventBridge answers ${Object.keys(actions).join(', ')}, not ${target || 'this request'}`);
      }
      let input: Input;
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Input;
      } catch {
        throw new EventBridgeError('SerializationException', 'The request body is not JSON');
      }
      const name = target.slice('AWSEvents.'.length);
      const deny = (resource: string) => this.options.iam?.denial(accessKeyOf(request.headers.authorization), `events:${name}`, resource);
      const denied = name === 'PutEvents' ? undefined : deny(this.#resourceOf(name, input));
      if (denied) throw new EventBridgeError('AccessDeniedException', denied);
      send(200, action({ api: this.#api, replays: this.#replays }, input, deny));
    } catch (error) {
      if (error instanceof EventBridgeError) send(400, { __type: error.name, message: error.message });
      else send(500, { __type: 'InternalException', message: error instanceof Error ? error.message : String(error) });
    }
  }

  /** The resource IAM authorizes an action on: the bus, rule, archive or replay it names, or `*` for the account-wide ones. */
  #resourceOf(action: string, input: Input): string {
    const replayResource = this.#replays.resourceOf(action, input);
    if (replayResource !== undefined) return replayResource;
    const busName = this.#api.busNameOf(input);
    if (action === 'CreateEventBus') return this.#api.busArn(String(input.Name));
    const ruleName = ['PutTargets', 'RemoveTargets', 'ListTargetsByRule'].includes(action) ? input.Rule : input.Name;
    return ['PutRule', 'DescribeRule', 'DeleteRule', 'PutTargets', 'RemoveTargets', 'ListTargetsByRule'].includes(action)
      ? this.#api.ruleArn(busName, String(ruleName))
      : '*';
  }
}

/** What a target receives: its constant `Input`, the part of the event its `InputPath` selects, or the whole event. */
function inputFor(target: Target, event: EventBridgeEvent): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath === undefined) return JSON.stringify(event);
  const selected: unknown = JSONPath({ path: target.InputPath, json: event, wrap: false });
  return JSON.stringify(selected ?? null);
}
