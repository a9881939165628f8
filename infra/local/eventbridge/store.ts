import * as fs from 'node:fs';
import * as path from 'node:path';

/** The event as EventBridge hands it to a rule's targets. */
export interface EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
  /** Set on a copy of an archived event that a replay put back on its bus. */
  'replay-name'?: string;
}

export interface EventBus {
  Name: string;
  Arn: string;
  Description?: string;
  /** Epoch seconds, as the JSON protocol carries timestamps. */
  CreationTime: number;
  LastModifiedTime: number;
}

export interface RetryPolicy {
  MaximumRetryAttempts?: number;
  MaximumEventAgeInSeconds?: number;
}

export interface Target {
  Id: string;
  Arn: string;
  RoleArn?: string;
  Input?: string;
  InputPath?: string;
  RetryPolicy?: RetryPolicy;
  DeadLetterConfig?: { Arn?: string };
}

export type RuleState = 'ENABLED' | 'DISABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

export interface Rule {
  Name: string;
  Arn: string;
  EventBusName: string;
  EventPattern: string;
  State: RuleState;
  Description?: string;
  RoleArn?: string;
  CreatedBy: string;
  Targets: Target[];
}

/** Why delivery gave up, in the words of the message attributes EventBridge puts on a dead-letter queue message. */
export type ExhaustedRetryCondition = 'MaximumRetryAttemptsExhausted' | 'MaximumEventAgeExhausted' | 'NotRetryable';

/** An event that could not be delivered to a target, with the last error its target gave. */
export interface DeadLetter {
  event: EventBridgeEvent;
  /** What the target was given: the event, its `Input`, or the part of it its `InputPath` selects. */
  input: string;
  ruleArn: string;
  targetId: string;
  targetArn: string;
  /** The target's `DeadLetterConfig` queue, which on AWS would receive the event. */
  deadLetterArn?: string;
  errorCode: string;
  errorMessage: string;
  exhaustedRetryCondition: ExhaustedRetryCondition;
  retryAttempts: number;
  /** ISO time at which delivery gave up. */
  deadLetteredAt: string;
}

interface StoredState {
  buses: EventBus[];
  rules: Rule[];
}

export function readJson<T>(file: string, empty: T): T {
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as T) : empty;
}

/** Writes through a temporary file, so a crash mid-write leaves the previous file whole. */
export function writeJson(file: string, value: unknown): void {
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(value, null, 2));
  fs.renameSync(`${file}.tmp`, file);
}

/** The buses and rules (with their targets), kept in `<dataDir>/eventbridge.json` and written whole on each change. */
export class EventBridgeStore {
  readonly buses: EventBus[];
  readonly rules: Rule[];
  readonly #file: string;

  constructor(dataDir: string) {
    fs.mkdirSync(dataDir, { recursive: true });
    this.#file = path.join(dataDir, 'eventbridge.json');
    const state = readJson<StoredState>(this.#file, { buses: [], rules: [] });
    this.buses = state.buses;
    this.rules = state.rules;
  }

  save(): void {
    writeJson(this.#file, { buses: this.buses, rules: this.rules } satisfies StoredState);
  }
}

/** The events no target took, kept in `<dataDir>/eventbridge-dead-letters.json`, oldest first. */
export class DeadLetterStore {
  readonly #file: string;
  readonly #letters: DeadLetter[];

  constructor(dataDir: string) {
    fs.mkdirSync(dataDir, { recursive: true });
    this.#file = path.join(dataDir, 'eventbridge-dead-letters.json');
    this.#letters = readJson<DeadLetter[]>(this.#file, []);
  }

  add(letter: DeadLetter): void {
    this.#letters.push(letter);
    writeJson(this.#file, this.#letters);
  }

  list(): DeadLetter[] {
    return structuredClone(this.#letters);
  }
}
