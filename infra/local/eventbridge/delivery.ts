import { setTimeout as sleep } from 'node:timers/promises';
import type { DeadLetterStore, EventBridgeEvent, ExhaustedRetryCondition, Rule, Target } from './store';

/**
 * Hands an event to a target: `input` is the JSON text the target receives. A rejection is a failed delivery, retried
 * unless the error carries `retryable: false` (a target that does not exist, a denied call), which EventBridge does
 * not retry either.
 */
export type Deliver = (targetArn: string, event: EventBridgeEvent, input: string) => Promise<void>;

export interface RetrySettings {
  /** For a target without its own RetryPolicy. EventBridge's default is 185. */
  maximumRetryAttempts: number;
  /** For a target without its own RetryPolicy. EventBridge's default is 86400 (24 hours). */
  maximumEventAgeSeconds: number;
  /** The first retry waits about this long, and each further one about twice as long as the one before. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const eventBridgeRetryDefaults: RetrySettings = {
  maximumRetryAttempts: 185,
  maximumEventAgeSeconds: 86_400,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
};

interface Delivery {
  rule: Rule;
  target: Target;
  event: EventBridgeEvent;
  input: string;
  acceptedAt: number;
}

/**
 * Delivers each rule's events to each of its targets one at a time, in the order they were put, retrying a failed
 * delivery with exponential back-off and jitter until the target's retry policy runs out, then dead-lettering it.
 * A delivery being retried holds back the later events of its rule and target, as a FIFO subscriber's failed call
 * holds up its later events on AWS; a classic bus does not order deliveries at all.
 */
export class TargetDeliveries {
  readonly #queues = new Map<string, Promise<void>>();
  readonly #stopping = new AbortController();

  constructor(
    private readonly deliver: Deliver,
    private readonly deadLetters: DeadLetterStore,
    private readonly retry: RetrySettings,
  ) {}

  enqueue(delivery: Omit<Delivery, 'acceptedAt'>): void {
    const key = `${delivery.rule.Arn}\n${delivery.target.Id}`;
    const queued = { ...delivery, acceptedAt: Date.now() };
    const next = (this.#queues.get(key) ?? Promise.resolve())
      .then(() => this.#attempt(queued))
      // Only the dead-letter file can fail here; the queue must go on to the rule's next event all the same.
      .catch((error: unknown) => console.error(`Local EventBridge could not dead-letter event ${delivery.event.id} for ${delivery.target.Arn}:`, error));
    this.#queues.set(key, next);
    void next.then(() => {
      if (this.#queues.get(key) === next) this.#queues.delete(key);
    });
  }

  /** Resolves once every event put so far is delivered or dead-lettered. */
  async idle(): Promise<void> {
    while (this.#queues.size > 0) await Promise.all(this.#queues.values());
  }

  /** Stops retrying: a delivery waiting for its next attempt is dropped, neither delivered nor dead-lettered. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.idle();
  }

  async #attempt(delivery: Delivery): Promise<void> {
    const { target } = delivery;
    const maximumRetryAttempts = target.RetryPolicy?.MaximumRetryAttempts ?? this.retry.maximumRetryAttempts;
    const maximumEventAgeMs = (target.RetryPolicy?.MaximumEventAgeInSeconds ?? this.retry.maximumEventAgeSeconds) * 1000;
    for (let retries = 0; !this.#stopping.signal.aborted; retries++) {
      try {
        await this.deliver(target.Arn, delivery.event, delivery.input);
        return;
      } catch (error) {
        const delay = this.#backOff(retries);
        let exhausted: ExhaustedRetryCondition | undefined;
        if ((error as { retryable?: unknown })?.retryable === false) exhausted = 'NotRetryable';
        else if (retries >= maximumRetryAttempts) exhausted = 'MaximumRetryAttemptsExhausted';
        else if (Date.now() + delay - delivery.acceptedAt > maximumEventAgeMs) exhausted = 'MaximumEventAgeExhausted';
        if (exhausted) {
          this.#deadLetter(delivery, error, exhausted, retries);
          return;
        }
        try {
          await sleep(delay, undefined, { signal: this.#stopping.signal });
        } catch {
          return;
        }
      }
    }
  }

  /** Exponential back-off with equal jitter: half the step is fixed, the other half random. */
  #backOff(retries: number): number {
    const step = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** retries);
    return step / 2 + Math.random() * (step / 2);
  }

  #deadLetter(delivery: Delivery, error: unknown, exhaustedRetryCondition: ExhaustedRetryCondition, retryAttempts: number): void {
    this.deadLetters.add({
      event: delivery.event,
      input: delivery.input,
      ruleArn: delivery.rule.Arn,
      targetId: delivery.target.Id,
      targetArn: delivery.target.Arn,
      deadLetterArn: delivery.target.DeadLetterConfig?.Arn,
      errorCode: error instanceof Error ? error.name : 'Error',
      errorMessage: error instanceof Error ? error.message : String(error),
      exhaustedRetryCondition,
      retryAttempts,
      deadLetteredAt: new Date().toISOString(),
    });
  }
}
