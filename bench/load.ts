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
import '../infra/local/quiet-sdk-warning';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Usage } from '../infra/local/usage';
import { LocalStack } from '../test/support/local-stack';
import { auditEmails, Deadline, driveOrders, executionOutcomes, MailWatcher, type EmailAudit, type ExecutionOutcomes, type LoadRun } from '../test/support/shop-load';

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

const { values: args } = parseArgs({
  options: {
    orders: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '50' },
    baseline: { type: 'string', default: '20' },
    'email-rate': { type: 'string', default: '0' },
    'timeout-minutes': { type: 'string', default: '30' },
    // Writes a V8 CPU profile of the stack's main thread and each worker here when the stack stops.
    'cpu-prof-dir': { type: 'string' },
  },
});
const settings = {
  orders: Number(args.orders),
  concurrency: Number(args.concurrency),
  baseline: Number(args.baseline),
  emailRate: Number(args['email-rate']),
};
const deadline = new Deadline(Number(args['timeout-minutes']) * 60_000);

async function usage(stack: LocalStack): Promise<Usage> {
  const response = await fetch(`${stack.urls.shop}/ops/usage`, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`GET /ops/usage answered ${response.status}`);
  return (await response.json()) as Usage;
}

/**
 * The usage once the stack has settled: the order events' consumers (the sales view) run after an execution ends,
 * so the meter is read when two readings a second apart agree.
 */
async function settledUsage(stack: LocalStack): Promise<Usage> {
  let previous = await usage(stack);
  for (;;) {
    deadline.remaining('the order events to be delivered');
    await sleep(1_000);
    const current = await usage(stack);
    if (JSON.stringify(current) === JSON.stringify(previous)) return current;
    previous = current;
  }
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
  phase: LoadRun;
  outcome: ExecutionOutcomes;
  emails: EmailAudit;
  used: Usage;
}

async function measure(stack: LocalStack, sfn: SFNClient, mail: MailWatcher, orders: number, concurrency: number): Promise<Measured> {
  const before = await usage(stack);
  const phase = await driveOrders({ shopUrl: stack.urls.shop, mail, deadline }, orders, concurrency);
  const outcome = await executionOutcomes(sfn, stack.stateMachineArn, phase.orderIds, deadline);
  const used = minus(await settledUsage(stack), before);
  return { phase, outcome, emails: await auditEmails(stack.urls.email, phase.orderIds), used };
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
      phase.busy,
      (accepted / flowSeconds).toFixed(1),
      flowSeconds.toFixed(1),
      accepted - (outcome.statuses.SUCCEEDED ?? 0),
      Object.entries(outcome.statuses).map(([status, count]) => `${status} ${count}`).join(', '),
      `${emails.missing.length} / ${emails.doubled.length} / ${emails.unexpected.length}`,
      counts.transitions.toFixed(1),
      counts.lambdaInvocations.toFixed(1),
      counts.lambdaGbSeconds.toFixed(3),
      `${counts.dynamodbReads.toFixed(1)} / ${counts.dynamodbWrites.toFixed(1)}`,
      counts.emails.toFixed(1),
      counts.apiRequests.toFixed(1),
      measured.used.lambda.throttles,
      measured.used.email.throttled,
      phase.unreachable,
    ];
  };
  const names = [
    'orders at concurrency',
    'accepted orders/s',
    'POST /order p50 ms',
    'POST /order p99 ms',
    'answers to retry later (503/409 Retry-After)',
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
    'requests that found the shop unreachable',
  ];
  const [a, b] = [column(baseline), column(load)];
  const figures = table(
    ['Measure', 'One at a time (baseline)', `${load.phase.concurrency} concurrent clients`],
    names.map((name, index) => [name, a[index], b[index]]),
  );
  // One at a time is what AWS would bill: there every invocation has its own CPU and nothing is throttled at 50
  // clients. Under load on two cores, handlers run longer and throttled tasks add retried transitions.
  const [alone, busy] = [costPer1000(perOrder(baseline)), costPer1000(perOrder(load))];
  const total = (rows: typeof alone) => `$${rows.reduce((sum, row) => sum + row.usd, 0).toFixed(4)}`;
  const costTable = table(
    ['AWS cost per 1,000 orders (us-east-1 list prices)', 'per order, one at a time', 'USD', `per order, ${load.phase.concurrency} clients`, 'USD'],
    [
      ...alone.map((row, index) => [row.what, row.perOrderCount.toFixed(3), `$${row.usd.toFixed(4)}`, busy[index].perOrderCount.toFixed(3), `$${busy[index].usd.toFixed(4)}`]),
      ['Total', '', total(alone), '', total(busy)],
    ],
  );
  return `${figures}\n\n${costTable}`;
}

async function main(): Promise<void> {
  const environment: Record<string, string> = settings.emailRate > 0 ? { LOCAL_SES_MAX_SEND_RATE: String(settings.emailRate) } : {};
  const nodeArgs = args['cpu-prof-dir'] ? ['--cpu-prof', `--cpu-prof-dir=${args['cpu-prof-dir']}`] : [];
  const stack = await LocalStack.start({ realClock: true, environment, nodeArgs });
  const sfn = new SFNClient({
    endpoint: stack.urls.stepFunctions,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const mail = new MailWatcher(stack.urls.email, deadline);
  try {
    console.log(
      `Node ${process.version}; ${settings.orders} orders at ${settings.concurrency} concurrent clients, ` +
        `baseline ${settings.baseline} one at a time; SES rate ${settings.emailRate > 0 ? `${settings.emailRate}/s` : 'unlimited'}`,
    );
    const baseline = await measure(stack, sfn, mail, settings.baseline, 1);
    const load = await measure(stack, sfn, mail, settings.orders, settings.concurrency);
    console.log(report(baseline, load));
    const failed = load.phase.orderIds.length - (load.outcome.statuses.SUCCEEDED ?? 0) + baseline.phase.orderIds.length - (baseline.outcome.statuses.SUCCEEDED ?? 0);
    const emailFaults = [load, baseline].reduce((sum, { emails }) => sum + emails.missing.length + emails.doubled.length, 0);
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
