import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import { executionArnFor } from '../../functions/lib/workflow';
import { anOrderRequest, formOn } from '../steps/when';
import { linkTo, type SentEmail } from './mailbox';

/**
 * Many customers at once through the public HTTP contract, shared by `npm run bench:load` and the e2e load tests.
 * Each customer places an order (one Idempotency-Key, retried while the shop says Retry-After or cannot be
 * reached), opens the fulfil link from the cake maker's email and presses the button, then opens the delivery link
 * from the "on its way" email and confirms with a rating.
 */

/** Every wait of a run gives up at one deadline, so a run that cannot finish says so instead of hanging. */
export class Deadline {
  readonly at: number;

  constructor(ms: number) {
    this.at = Date.now() + ms;
  }

  remaining(what: string): number {
    const left = this.at - Date.now();
    if (left <= 0) throw new Error(`Gave up waiting for ${what}: the run's time ran out`);
    return left;
  }
}

interface MailWaiter {
  match: (email: SentEmail) => boolean;
  resolve: (email: SentEmail) => void;
}

/** Every order id (a UUID) an email's subject, text or HTML mentions. */
function orderIdsIn(email: SentEmail): Set<string> {
  return new Set(`${email.subject}\n${email.body.text ?? ''}\n${email.body.html ?? ''}`.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g));
}

/**
 * One reader of the mailbox for every customer, as a mail server delivers to many inboxes: it asks only for the
 * emails of the last seconds (`GET /store?since=`), and files each email under the orders it mentions, so neither
 * watching the mailbox nor matching emails to customers grows with the number of orders.
 */
export class MailWatcher {
  readonly #seen = new Set<string>();
  /** Per order id, the customers waiting for one of its emails. */
  readonly #waiters = new Map<string, MailWaiter[]>();
  /** Per order id, its emails no customer has taken yet. */
  readonly #unclaimed = new Map<string, SentEmail[]>();
  #running = true;
  readonly #loop: Promise<void>;

  constructor(
    private readonly baseUrl: string,
    private readonly deadline: Deadline,
  ) {
    this.#loop = this.#poll();
  }

  async #poll(): Promise<void> {
    // Asks from a little before the last poll that got an answer, so an outage of the mailbox misses nothing.
    let answeredAt = Date.now();
    while (this.#running) {
      const since = Math.floor(answeredAt / 1000) - 2;
      const asking = Date.now();
      try {
        // Bounded: a poll caught by the mailbox going down must not hold up every later one.
        const response = await fetch(`${this.baseUrl}/store?since=${since}`, { signal: AbortSignal.timeout(5_000) });
        const { emails } = (await response.json()) as { emails: SentEmail[] };
        answeredAt = asking;
        for (const email of emails) {
          if (this.#seen.has(email.messageId)) continue;
          this.#seen.add(email.messageId);
          this.#deliver(email);
        }
      } catch {
        // The mailbox may be down or restarting; the next poll tries again.
      }
      await sleep(200);
    }
  }

  /** Hands the email to a customer waiting for it, or keeps it under each order it mentions until one asks. */
  #deliver(email: SentEmail): void {
    const orderIds = orderIdsIn(email);
    for (const orderId of orderIds) {
      const waiters = this.#waiters.get(orderId) ?? [];
      const waiter = waiters.find((candidate) => candidate.match(email));
      if (!waiter) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(email);
      return;
    }
    for (const orderId of orderIds) this.#unclaimed.set(orderId, [...(this.#unclaimed.get(orderId) ?? []), email]);
  }

  /** The next email mentioning `orderId` that `match` accepts, whether it arrived already or arrives later. */
  waitFor(what: string, orderId: string, match: (email: SentEmail) => boolean): Promise<SentEmail> {
    const unclaimed = this.#unclaimed.get(orderId) ?? [];
    const arrived = unclaimed.find(match);
    if (arrived) {
      for (const other of orderIdsIn(arrived)) this.#unclaimed.set(other, (this.#unclaimed.get(other) ?? []).filter((email) => email !== arrived));
      return Promise.resolve(arrived);
    }
    return new Promise((resolve, reject) => {
      const waiters = this.#waiters.get(orderId) ?? [];
      this.#waiters.set(orderId, waiters);
      const waiter: MailWaiter = {
        match,
        resolve: (email) => {
          clearTimeout(timer);
          resolve(email);
        },
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        reject(new Error(`Gave up waiting for ${what}: the run's time ran out`));
      }, this.deadline.remaining(what));
      waiters.push(waiter);
    });
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }
}

export interface LoadRun {
  orders: number;
  concurrency: number;
  /** Latency of each POST /order that answered 201, in ms. */
  acceptLatencies: number[];
  orderIds: string[];
  startedAt: number;
  lastAcceptedAt: number;
  apiRequests: number;
  /** Answers of 503 (at capacity) or 409 (same Idempotency-Key in flight) with Retry-After, each retried. */
  busy: number;
  /** Requests that found the shop unreachable (a restart) and were sent again. */
  unreachable: number;
}

export interface LoadTarget {
  shopUrl: string;
  mail: MailWatcher;
  deadline: Deadline;
  /** Called after each accepted order, so a scenario can act mid-load (kill the stack, say). */
  onAccepted?: (run: LoadRun) => void;
}

/**
 * A request sent again while the shop cannot be reached (a restart) or answers 503 with Retry-After (at capacity),
 * as a careful client does.
 */
async function request(run: LoadRun, target: LoadTarget, url: string, init?: RequestInit): Promise<Response> {
  const what = `${init?.method ?? 'GET'} ${new URL(url).pathname} to be answered`;
  for (;;) {
    run.apiRequests += 1;
    let response: Response;
    try {
      response = await fetch(url, init);
    } catch {
      run.unreachable += 1;
      target.deadline.remaining(what);
      await sleep(500);
      continue;
    }
    const retryAfter = Number(response.headers.get('retry-after'));
    if (response.status !== 503 || !(retryAfter > 0)) return response;
    await response.arrayBuffer();
    run.busy += 1;
    target.deadline.remaining(what);
    await sleep(retryAfter * 1000);
  }
}

/** POST /order as a careful shop front does: one Idempotency-Key for the order, retried while told to. */
async function placeOrder(run: LoadRun, target: LoadTarget): Promise<{ orderId: string; email: string }> {
  const order = anOrderRequest();
  const key = randomUUID();
  for (;;) {
    const started = performance.now();
    const response = await request(run, target, `${target.shopUrl}/order`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(order),
    });
    const body = await response.text();
    if (response.status === 201) {
      run.acceptLatencies.push(performance.now() - started);
      run.lastAcceptedAt = Date.now();
      return { orderId: (JSON.parse(body) as { orderId: string }).orderId, email: order.email };
    }
    const retryAfter = Number(response.headers.get('retry-after'));
    if (response.status === 409 && retryAfter > 0) {
      run.busy += 1;
      target.deadline.remaining('POST /order to accept the order');
      await sleep(retryAfter * 1000);
      continue;
    }
    throw new Error(`POST /order answered ${response.status}: ${body}`);
  }
}

/** Opens the link from the email, then posts the page's form as a browser would; a repeat post changes nothing. */
async function followLinkAndSubmit(run: LoadRun, target: LoadTarget, link: string, filledIn: Record<string, string> = {}): Promise<void> {
  const page = await request(run, target, link, { headers: { accept: 'text/html' } });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`${link} answered ${page.status}`);
  const form = formOn(html);
  const posted = await request(run, target, form.action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    body: new URLSearchParams({ ...form.fields, ...filledIn }).toString(),
    redirect: 'manual',
  });
  await posted.arrayBuffer();
  if (posted.status >= 400) throw new Error(`${form.action} answered ${posted.status}`);
}

async function customerJourney(run: LoadRun, target: LoadTarget): Promise<void> {
  const { orderId, email } = await placeOrder(run, target);
  run.orderIds.push(orderId);
  target.onAccepted?.(run);
  const bakeRequest = await target.mail.waitFor(`the cake maker's email for ${orderId}`, orderId, (sent) => /^New order to bake/.test(sent.subject));
  await followLinkAndSubmit(run, target, linkTo(bakeRequest, 'fulfill'));
  const onItsWay = await target.mail.waitFor(
    `the "on its way" email for ${orderId}`,
    orderId,
    (sent) => sent.destination.to.includes(email) && /is on its way$/.test(sent.subject),
  );
  await followLinkAndSubmit(run, target, linkTo(onItsWay, 'delivered'), { rating: '5', comment: 'Lovely, thank you' });
}

/** `orders` customers, `concurrency` at a time, each through the whole journey. */
export async function driveOrders(target: LoadTarget, orders: number, concurrency: number): Promise<LoadRun> {
  const run: LoadRun = { orders, concurrency, acceptLatencies: [], orderIds: [], startedAt: Date.now(), lastAcceptedAt: 0, apiRequests: 0, busy: 0, unreachable: 0 };
  let started = 0;
  const customer = async () => {
    while (started < orders) {
      started += 1;
      await customerJourney(run, target);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, customer));
  return run;
}

export interface ExecutionOutcomes {
  statuses: Record<string, number>;
  /** Per status other than SUCCEEDED, the executions with it, for failure messages. */
  unsuccessful: string[];
  finishedAt: number;
  billedTransitions: number;
  taskInvocations: number;
  /** Task attempts that were retries of a failed attempt. */
  retries: number;
}

/** Billed as AWS Standard bills: one transition per state entered, plus one per retried task attempt. */
function billedTransitions(events: HistoryEvent[]): { transitions: number; invocations: number; retries: number } {
  const entered = events.filter((event) => event.type?.endsWith('StateEntered')).length;
  const taskEntered = events.filter((event) => event.type === 'TaskStateEntered').length;
  const scheduled = events.filter((event) => event.type === 'TaskScheduled').length;
  const retries = Math.max(0, scheduled - taskEntered);
  return { transitions: entered + retries, invocations: scheduled, retries };
}

/** Waits for every order's execution to end, then reads each one's status and history. */
export async function executionOutcomes(sfn: SFNClient, stateMachineArn: string, orderIds: string[], deadline: Deadline): Promise<ExecutionOutcomes> {
  const outcome: ExecutionOutcomes = { statuses: {}, unsuccessful: [], finishedAt: 0, billedTransitions: 0, taskInvocations: 0, retries: 0 };
  const executionArn = (orderId: string) => executionArnFor(stateMachineArn, orderId);
  const queue = [...orderIds];
  const reader = async () => {
    for (let orderId = queue.shift(); orderId !== undefined; orderId = queue.shift()) {
      let described = await sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(orderId) }));
      while (described.status === 'RUNNING') {
        deadline.remaining(`execution order-${orderId} to end`);
        await sleep(500);
        described = await sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(orderId) }));
      }
      const status = described.status ?? 'UNKNOWN';
      outcome.statuses[status] = (outcome.statuses[status] ?? 0) + 1;
      if (status !== 'SUCCEEDED') outcome.unsuccessful.push(`order-${orderId} ${status} ${described.error ?? ''} ${described.cause ?? ''}`);
      outcome.finishedAt = Math.max(outcome.finishedAt, described.stopDate?.getTime() ?? 0);
      const events: HistoryEvent[] = [];
      let nextToken: string | undefined;
      do {
        const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn: executionArn(orderId), nextToken, maxResults: 1000 }));
        events.push(...(page.events ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      const billed = billedTransitions(events);
      outcome.billedTransitions += billed.transitions;
      outcome.taskInvocations += billed.invocations;
      outcome.retries += billed.retries;
    }
  };
  await Promise.all(Array.from({ length: 8 }, reader));
  return outcome;
}

/** The emails every completed order sends, exactly once each, matched by subject. */
export const emailsOfACompletedOrder: Record<string, RegExp> = {
  'order received': /^We have your order/,
  'cake maker asked': /^New order to bake/,
  'delivery company told': /^Collection and delivery/,
  'on its way': /is on its way$/,
  'feedback forwarded': /^Customer feedback for order/,
};

export interface EmailAudit {
  /** Order and email kind, for each kind an order never got. */
  missing: string[];
  /** Order and email kind, for each kind an order got more than once. */
  doubled: string[];
  /** For each entry of `doubled`, when SES accepted each copy (epoch seconds). */
  doubledAt: Record<string, number[]>;
  /** Subjects of emails no completed order should send (a failure notice, say). */
  unexpected: string[];
}

/** Each order's emails by kind: a kind sent 0 times is missing, more than once doubled. */
export async function auditEmails(emailUrl: string, orderIds: string[]): Promise<EmailAudit> {
  const { emails } = (await (await fetch(`${emailUrl}/store`)).json()) as { emails: SentEmail[] };
  const audit: EmailAudit = { missing: [], doubled: [], doubledAt: {}, unexpected: [] };
  const byOrder = new Map<string, SentEmail[]>(orderIds.map((orderId) => [orderId, []]));
  for (const email of emails) {
    const orderId = [...orderIdsIn(email)].find((id) => byOrder.has(id));
    if (orderId) byOrder.get(orderId)?.push(email);
  }
  for (const [orderId, list] of byOrder) {
    for (const [kind, pattern] of Object.entries(emailsOfACompletedOrder)) {
      const copies = list.filter((email) => pattern.test(email.subject));
      if (copies.length === 0) audit.missing.push(`${orderId}: ${kind}`);
      if (copies.length > 1) {
        const entry = `${orderId}: ${kind} x${copies.length}`;
        audit.doubled.push(entry);
        audit.doubledAt[entry] = copies.map((email) => email.at);
      }
    }
    for (const email of list) {
      if (!Object.values(emailsOfACompletedOrder).some((pattern) => pattern.test(email.subject))) audit.unexpected.push(`${orderId}: ${email.subject}`);
    }
  }
  return audit;
}
