/**
 * The whole shop under load (`npm run bench:load -- --orders 1000 --concurrency 50`). Starts a fresh local stack
 * (`npm start` on free ports, real clock, empty data directory) and drives orders through the public HTTP contract
 * as a busy shop would: each client places an order (Idempotency-Key, honouring Retry-After), waits for the cake
 * maker's email, opens the fulfil link and presses the button, waits for the customer's "on its way" email, opens
 * the delivery link and confirms with a rating. It then waits for every execution to end and audits the mailbox.
 *
 * Baseline, in the same run on the same stack: the same journey one order at a time (`--baseline` orders).
 * `--email-rate 14` gives the local SES the account quota of a new production account (LOCAL_SES_MAX_SEND_RATE).
 *
 * The AWS cost per 1,000 orders is computed from what the orders used: billed state transitions (from the
 * execution histories), Lambda requests and GB-seconds, DynamoDB requests, emails and API requests (from the
 * stack's usage meter, GET /ops/usage), priced at the public us-east-1 list prices below.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import { LocalStack } from '../test/support/local-stack';
import { linkTo, mentions, type SentEmail } from '../test/support/mailbox';
import { anOrderRequest, formOn } from '../test/steps/when';
import type { Usage } from '../infra/local/usage';

/** Public list prices, us-east-1, as published on each service's pricing page (free tiers left out). */
const prices = {
  stepFunctionsPerTransition: 0.025 / 1000, // Step Functions Standard: $0.025 per 1,000 state transitions
  lambdaPerRequest: 0.2 / 1e6, // Lambda: $0.20 per 1M requests
  lambdaArmPerGbSecond: 0.0000133334, // Lambda Arm (Graviton2): $0.0000133334 per GB-second, first tier
  dynamodbPerWriteRequest: 0.625 / 1e6, // DynamoDB on-demand: $0.625 per million write request units
  dynamodbPerReadRequest: 0.125 / 1e6, // DynamoDB on-demand: $0.125 per million read request units
  sesPerEmail: 0.1 / 1000, // SES: $0.10 per 1,000 emails
  httpApiPerRequest: 1.0 / 1e6, // API Gateway HTTP API: $1.00 per million requests, first 300M
};

/** The emails every completed order sends, exactly once each, matched by subject. */
const expectedEmails: Record<string, RegExp> = {
  'order received': /^We have your order/,
  'cake maker asked': /^New order to bake/,
  'delivery company told': /^Collection and delivery/,
  'on its way': /is on its way$/,
  'feedback forwarded': /^Customer feedback for order/,
};

const { values: args } = parseArgs({
  options: {
    orders: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '50' },
    baseline: { type: 'string', default: '20' },
    'email-rate': { type: 'string', default: '0' },
    'timeout-minutes': { type: 'string', default: '30' },
  },
});
const settings = {
  orders: Number(args.orders),
  concurrency: Number(args.concurrency),
  baseline: Number(args.baseline),
  emailRate: Number(args['email-rate']),
  deadline: Date.now() + Number(args['timeout-minutes']) * 60_000,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function remaining(what: string): number {
  const left = settings.deadline - Date.now();
  if (left <= 0) throw new Error(`Gave up waiting for ${what}: --timeout-minutes ran out`);
  return left;
}

/**
 * One reader of the mailbox for every client, as a real mail server delivers to many inboxes: it asks only for the
 * emails of the last seconds (`GET /store?since=`), so watching the mailbox does not itself become the load.
 */
class MailWatcher {
  readonly #seen = new Set<string>();
  #waiters: { match: (email: SentEmail) => boolean; resolve: (email: SentEmail) => void }[] = [];
  #arrived: SentEmail[] = [];
  #running = true;
  readonly #loop: Promise<void>;

  constructor(private readonly baseUrl: string) {
    this.#loop = this.#poll();
  }

  async #poll(): Promise<void> {
    while (this.#running) {
      const since = Math.floor(Date.now() / 1000) - 2;
      try {
        const response = await fetch(`${this.baseUrl}/store?since=${since}`);
        const { emails } = (await response.json()) as { emails: SentEmail[] };
        for (const email of emails) {
          if (this.#seen.has(email.messageId)) continue;
          this.#seen.add(email.messageId);
          this.#arrived.push(email);
        }
        this.#dispatch();
      } catch {
        // The mailbox may be restarting; the next poll tries again.
      }
      await sleep(200);
    }
  }

  #dispatch(): void {
    this.#waiters = this.#waiters.filter((waiter) => {
      const index = this.#arrived.findIndex(waiter.match);
      if (index === -1) return true;
      waiter.resolve(this.#arrived[index]);
      this.#arrived.splice(index, 1);
      return false;
    });
  }

  waitFor(what: string, match: (email: SentEmail) => boolean): Promise<SentEmail> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((waiter) => waiter.match !== match);
        reject(new Error(`Gave up waiting for ${what}: --timeout-minutes ran out`));
      }, remaining(what));
      this.#waiters.push({
        match,
        resolve: (email) => {
          clearTimeout(timer);
          resolve(email);
        },
      });
      this.#dispatch();
    });
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }
}

interface Phase {
  label: string;
  orders: number;
  concurrency: number;
  acceptLatencies: number[];
  orderIds: string[];
  startedAt: number;
  lastAcceptedAt: number;
  apiRequests: number;
  retriedPosts: number;
}

async function request(phase: Phase, url: string, init?: RequestInit): Promise<Response> {
  phase.apiRequests += 1;
  return fetch(url, init);
}

/** POST /order as a careful shop front does: one Idempotency-Key for the order, retried while told to. */
async function placeOrder(phase: Phase, stack: LocalStack): Promise<{ orderId: string; email: string }> {
  const order = anOrderRequest();
  const key = randomUUID();
  for (;;) {
    const started = performance.now();
    const response = await request(phase, `${stack.urls.shop}/order`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(order),
    });
    const body = await response.text();
    if (response.status === 201) {
      phase.acceptLatencies.push(performance.now() - started);
      phase.lastAcceptedAt = Date.now();
      return { orderId: (JSON.parse(body) as { orderId: string }).orderId, email: order.email };
    }
    const retryAfter = Number(response.headers.get('retry-after'));
    if ((response.status === 503 || response.status === 409) && retryAfter > 0) {
      phase.retriedPosts += 1;
      remaining('POST /order to accept the order');
      await sleep(retryAfter * 1000);
      continue;
    }
    throw new Error(`POST /order answered ${response.status}: ${body}`);
  }
}

/** Opens the link from the email, then posts the page's form as a browser would. */
async function followLinkAndSubmit(phase: Phase, link: string, filledIn: Record<string, string> = {}): Promise<void> {
  const page = await request(phase, link, { headers: { accept: 'text/html' } });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`${link} answered ${page.status}`);
  const form = formOn(html);
  const posted = await request(phase, form.action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    body: new URLSearchParams({ ...form.fields, ...filledIn }).toString(),
    redirect: 'manual',
  });
  await posted.arrayBuffer();
  if (posted.status >= 400) throw new Error(`${form.action} answered ${posted.status}`);
}

async function journey(phase: Phase, stack: LocalStack, mail: MailWatcher): Promise<void> {
  const { orderId, email } = await placeOrder(phase, stack);
  phase.orderIds.push(orderId);
  const bakeRequest = await mail.waitFor(`the cake maker's email for ${orderId}`, (sent) => /^New order to bake/.test(sent.subject) && mentions(sent, orderId));
  await followLinkAndSubmit(phase, linkTo(bakeRequest, 'fulfill'));
  const onItsWay = await mail.waitFor(`the "on its way" email for ${orderId}`, (sent) => sent.destination.to.includes(email) && /is on its way$/.test(sent.subject) && mentions(sent, orderId));
  await followLinkAndSubmit(phase, linkTo(onItsWay, 'delivered'), { rating: '5', comment: 'Lovely, thank you' });
}

async function runPhase(label: string, stack: LocalStack, mail: MailWatcher, orders: number, concurrency: number): Promise<Phase> {
  const phase: Phase = { label, orders, concurrency, acceptLatencies: [], orderIds: [], startedAt: Date.now(), lastAcceptedAt: 0, apiRequests: 0, retriedPosts: 0 };
  let next = 0;
  const client = async () => {
    while (next < orders) {
      next += 1;
      await journey(phase, stack, mail);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return phase;
}

interface Outcome {
  statuses: Record<string, number>;
  finishedAt: number;
  billedTransitions: number;
  taskInvocations: number;
}

/** Billed as AWS Standard bills: one transition per state entered, plus one per retried task attempt. */
function billedTransitions(events: HistoryEvent[]): { transitions: number; invocations: number } {
  const entered = events.filter((event) => event.type?.endsWith('StateEntered')).length;
  const taskEntered = events.filter((event) => event.type === 'TaskStateEntered').length;
  const scheduled = events.filter((event) => event.type === 'TaskScheduled').length;
  return { transitions: entered + Math.max(0, scheduled - taskEntered), invocations: scheduled };
}

/** Waits for every execution of the phase to end, then reads each one's status and history. */
async function outcomeOf(sfn: SFNClient, stack: LocalStack, orderIds: string[]): Promise<Outcome> {
  const outcome: Outcome = { statuses: {}, finishedAt: 0, billedTransitions: 0, taskInvocations: 0 };
  const executionArn = (orderId: string) => `${stack.stateMachineArn.replace(':stateMachine:', ':execution:')}:order-${orderId}`;
  const queue = [...orderIds];
  const reader = async () => {
    for (let orderId = queue.shift(); orderId !== undefined; orderId = queue.shift()) {
      let described = await sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(orderId) }));
      while (described.status === 'RUNNING') {
        remaining(`execution order-${orderId} to end`);
        await sleep(500);
        described = await sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(orderId) }));
      }
      const status = described.status ?? 'UNKNOWN';
      outcome.statuses[status] = (outcome.statuses[status] ?? 0) + 1;
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
    }
  };
  await Promise.all(Array.from({ length: 8 }, reader));
  return outcome;
}

/** Each order's emails by kind: a kind sent 0 times is missing, more than once doubled. */
async function auditEmails(stack: LocalStack, orderIds: string[]): Promise<{ missing: number; doubled: number; unexpected: number }> {
  const { emails } = (await (await fetch(`${stack.urls.email}/store`)).json()) as { emails: SentEmail[] };
  const byOrder = new Map<string, SentEmail[]>(orderIds.map((orderId) => [orderId, []]));
  for (const email of emails) {
    for (const [orderId, list] of byOrder) {
      if (mentions(email, orderId) || email.subject.includes(orderId)) {
        list.push(email);
        break;
      }
    }
  }
  let missing = 0;
  let doubled = 0;
  let unexpected = 0;
  for (const list of byOrder.values()) {
    for (const pattern of Object.values(expectedEmails)) {
      const count = list.filter((email) => pattern.test(email.subject)).length;
      if (count === 0) missing += 1;
      if (count > 1) doubled += 1;
    }
    unexpected += list.filter((email) => !Object.values(expectedEmails).some((pattern) => pattern.test(email.subject))).length;
  }
  return { missing, doubled, unexpected };
}

async function usage(stack: LocalStack): Promise<Usage> {
  const response = await fetch(`${stack.urls.shop}/ops/usage`, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`GET /ops/usage answered ${response.status}`);
  return (await response.json()) as Usage;
}

function minus(after: Usage, before: Usage): Usage {
  const result = structuredClone(after) as unknown as Record<string, Record<string, number>>;
  for (const [service, counters] of Object.entries(before) as [string, Record<string, number>][]) {
    for (const [name, value] of Object.entries(counters)) result[service][name] -= value;
  }
  return result as unknown as Usage;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

interface Measured {
  phase: Phase;
  outcome: Outcome;
  emails: Awaited<ReturnType<typeof auditEmails>>;
  used: Usage;
}

async function measure(label: string, stack: LocalStack, sfn: SFNClient, mail: MailWatcher, orders: number, concurrency: number): Promise<Measured> {
  const before = await usage(stack);
  const phase = await runPhase(label, stack, mail, orders, concurrency);
  const outcome = await outcomeOf(sfn, stack, phase.orderIds);
  const used = minus(await usage(stack), before);
  return { phase, outcome, emails: await auditEmails(stack, phase.orderIds), used };
}

function perOrder(measured: Measured) {
  const n = measured.phase.orderIds.length;
  const { used, outcome } = measured;
  return {
    transitions: outcome.billedTransitions / n,
    lambdaInvocations: used.lambda.invocations / n,
    lambdaGbSeconds: used.lambda.gbSeconds / n,
    dynamodbReads: used.dynamodb.readRequests / n,
    dynamodbWrites: used.dynamodb.writeRequests / n,
    emails: used.email.sent / n,
    apiRequests: used.api.requests / n,
  };
}

function costPer1000(counts: ReturnType<typeof perOrder>) {
  const rows: [string, number, number][] = [
    ['Step Functions Standard transitions', counts.transitions, prices.stepFunctionsPerTransition],
    ['Lambda requests', counts.lambdaInvocations, prices.lambdaPerRequest],
    ['Lambda arm64 GB-seconds', counts.lambdaGbSeconds, prices.lambdaArmPerGbSecond],
    ['DynamoDB on-demand write requests', counts.dynamodbWrites, prices.dynamodbPerWriteRequest],
    ['DynamoDB on-demand read requests', counts.dynamodbReads, prices.dynamodbPerReadRequest],
    ['SES emails', counts.emails, prices.sesPerEmail],
    ['HTTP API requests', counts.apiRequests, prices.httpApiPerRequest],
  ];
  return rows.map(([what, perOrderCount, price]) => ({ what, perOrderCount, usd: perOrderCount * price * 1000 }));
}

function table(headers: string[], rows: (string | number)[][]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => String(row[column]).length)));
  const line = (cells: (string | number)[]) => `| ${cells.map((cell, column) => String(cell).padEnd(widths[column])).join(' | ')} |`;
  return [line(headers), `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

function report(baseline: Measured, load: Measured): string {
  const column = (measured: Measured) => {
    const { phase, outcome, emails } = measured;
    const accepted = phase.orderIds.length;
    const acceptSeconds = (phase.lastAcceptedAt - phase.startedAt) / 1000;
    const flowSeconds = (outcome.finishedAt - phase.startedAt) / 1000;
    const counts = perOrder(measured);
    return [
      `${accepted} at ${phase.concurrency}`,
      (accepted / acceptSeconds).toFixed(1),
      percentile(phase.acceptLatencies, 50).toFixed(0),
      percentile(phase.acceptLatencies, 99).toFixed(0),
      phase.retriedPosts,
      (accepted / flowSeconds).toFixed(1),
      flowSeconds.toFixed(1),
      accepted - (outcome.statuses.SUCCEEDED ?? 0),
      Object.entries(outcome.statuses).map(([status, count]) => `${status} ${count}`).join(', '),
      `${emails.missing} / ${emails.doubled} / ${emails.unexpected}`,
      counts.transitions.toFixed(1),
      counts.lambdaInvocations.toFixed(1),
      counts.lambdaGbSeconds.toFixed(3),
      `${counts.dynamodbReads.toFixed(1)} / ${counts.dynamodbWrites.toFixed(1)}`,
      counts.emails.toFixed(1),
      counts.apiRequests.toFixed(1),
      measured.used.lambda.throttles,
      measured.used.email.throttled,
    ];
  };
  const names = [
    'orders at concurrency',
    'accepted orders/s',
    'POST /order p50 ms',
    'POST /order p99 ms',
    'POST /order retried (503/409 Retry-After)',
    'full-flow orders/s',
    'first order to last execution end, s',
    'executions not SUCCEEDED',
    'execution statuses',
    'orders with an email missing / doubled / unexpected',
    'billed state transitions per order',
    'Lambda invocations per order',
    'Lambda GB-seconds per order',
    'DynamoDB reads / writes per order',
    'emails per order',
    'API requests per order',
    'Lambda throttles (retried)',
    'SES sends refused at the rate (retried)',
  ];
  const [a, b] = [column(baseline), column(load)];
  const figures = table(
    ['Measure', 'One at a time (baseline)', `${load.phase.concurrency} concurrent clients`],
    names.map((name, index) => [name, a[index], b[index]]),
  );
  const cost = costPer1000(perOrder(load));
  const costTable = table(
    ['AWS cost per 1,000 orders (us-east-1 list prices)', 'per order', 'USD'],
    [...cost.map((row) => [row.what, row.perOrderCount.toFixed(3), `$${row.usd.toFixed(4)}`]), ['Total', '', `$${cost.reduce((sum, row) => sum + row.usd, 0).toFixed(4)}`]],
  );
  return `${figures}\n\n${costTable}`;
}

async function main(): Promise<void> {
  const environment: Record<string, string> = settings.emailRate > 0 ? { LOCAL_SES_MAX_SEND_RATE: String(settings.emailRate) } : {};
  const stack = await LocalStack.start({ realClock: true, environment });
  const sfn = new SFNClient({
    endpoint: stack.urls.stepFunctions,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const mail = new MailWatcher(stack.urls.email);
  try {
    console.log(
      `Node ${process.version}; ${settings.orders} orders at ${settings.concurrency} concurrent clients, ` +
        `baseline ${settings.baseline} one at a time; SES rate ${settings.emailRate > 0 ? `${settings.emailRate}/s` : 'unlimited'}`,
    );
    const baseline = await measure('baseline', stack, sfn, mail, settings.baseline, 1);
    const load = await measure('load', stack, sfn, mail, settings.orders, settings.concurrency);
    console.log(report(baseline, load));
    const failed = load.phase.orderIds.length - (load.outcome.statuses.SUCCEEDED ?? 0) + baseline.phase.orderIds.length - (baseline.outcome.statuses.SUCCEEDED ?? 0);
    const emailFaults = load.emails.missing + load.emails.doubled + baseline.emails.missing + baseline.emails.doubled;
    if (failed > 0 || emailFaults > 0) process.exitCode = 1;
  } catch (error) {
    console.error(error);
    console.error(`Stack output (last 4,000 characters):\n${stack.output.slice(-4000)}`);
    process.exitCode = 1;
  } finally {
    await mail.stop();
    sfn.destroy();
    await stack.stop();
  }
}

void main();
