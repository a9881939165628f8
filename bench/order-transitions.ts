/**
 * What each path of the order workflow costs (`npm run bench:transitions`). Runs statemachines/order.asl.json on
 * the local engine (in-memory store, manual clock) with stand-in handlers, drives every path, and prints per path:
 * states entered, billed state transitions, Lambda invocations and history events, side by side with a static
 * baseline: the shortest walk through the ASL graph from StartAt, via the states the path must pass, to its end.
 *
 * Billed transitions are counted as AWS Standard bills them: one per state entered (the StartAt state and the
 * final Succeed/Fail included) plus one per retried Task attempt. Free tier and Lambda charges are left out.
 */
import { OrderStateConflict } from '../functions/lib/errors';
import { lambdaFunctionArn, ManualClock, openEngine, type EventBridgePort, type LambdaRegistry } from '../infra/local/engine';
import { resolveOrderDefinition } from '../infra/local/state-machine';
import { resolveSettings } from '../infra/settings';
import { functionPlaceholders, handlers, orderStateMachineFile, type HandlerName } from '../infra/wiring';

const USD_PER_TRANSITION = 0.025 / 1000;
const settings = resolveSettings();
const arnOf = (handler: HandlerName) => lambdaFunctionArn({ region: 'us-east-1', accountId: '000000000000' }, handler);

const definition = resolveOrderDefinition(
  Object.fromEntries(Object.keys(handlers).map((handler) => [handler, arnOf(handler as HandlerName)])) as Record<HandlerName, string>,
  settings,
);

interface AslState {
  Type: string;
  Next?: string;
  Default?: string;
  Choices?: { Next: string }[];
  Catch?: { Next: string }[];
}
const asl = JSON.parse(definition) as { StartAt: string; States: Record<string, AslState> };

/** Breadth-first over Next, Default, Choices and Catch: the fewest states from `from` to `to`, both included. */
function shortestWalk(from: string, to: string): string[] {
  const previous = new Map<string, string | undefined>([[from, undefined]]);
  for (const queue = [from]; queue.length > 0 && !previous.has(to); ) {
    const name = queue.shift()!;
    const state = asl.States[name];
    for (const next of [state.Next, state.Default, ...(state.Choices ?? []).map((c) => c.Next), ...(state.Catch ?? []).map((c) => c.Next)]) {
      if (!next || previous.has(next)) continue;
      previous.set(next, name);
      queue.push(next);
    }
  }
  if (!previous.has(to)) throw new Error(`No path from ${from} to ${to} in ${orderStateMachineFile}`);
  const walk = [to];
  for (let at = previous.get(to); at !== undefined; at = previous.get(at)) walk.unshift(at);
  return walk;
}

const staticWalk = (stops: string[]) => stops.reduce((walk, stop) => [...walk, ...shortestWalk(walk[walk.length - 1], stop).slice(1)], [asl.StartAt]);

/** One order on a fresh engine; stand-in handlers count invocations and keep the task token each callback got. */
interface Shop {
  succeed(handler: HandlerName, output?: object): Promise<void>;
  fail(handler: HandlerName, error: string): Promise<void>;
  wait(seconds: number): Promise<void>;
}

interface Path {
  name: string;
  /** States the path must pass, in order, ending with its terminal state. */
  stops: string[];
  orderId?: string;
  drive(shop: Shop): Promise<void>;
}

const paths: Path[] = [
  { name: 'happy path', stops: ['Order Completed'], drive: async (shop) => (await shop.succeed('askCakeMaker'), await shop.succeed('awaitDeliveryConfirmation', { feedback: 'Lovely' })) },
  {
    name: 'reminder, then fulfilled',
    stops: ['Remind Cake Maker', 'Order Completed'],
    drive: async (shop) => (await shop.wait(settings.reminderAfterSeconds), await shop.succeed('remindCakeMaker'), await shop.succeed('awaitDeliveryConfirmation')),
  },
  { name: 'cancelled by customer', stops: ['Mark Order Cancelled By Customer', 'Order Cancelled'], drive: (shop) => shop.fail('askCakeMaker', 'OrderCancelled') },
  { name: 'cake maker never answers', stops: ['Cancel Unfulfilled Order', 'Order Cancelled'], drive: async (shop) => (await shop.wait(settings.reminderAfterSeconds), await shop.wait(settings.cancelAfterSeconds)) },
  { name: 'delivery unconfirmed', stops: ['Order Closed Unconfirmed'], drive: async (shop) => (await shop.succeed('askCakeMaker'), await shop.wait(settings.deliveryConfirmationTimeoutSeconds)) },
  // The stand-in confirmation handler refuses this order's email for good: recorded as not sent, the order goes on.
  {
    name: 'confirmation not sent',
    stops: ['Record Order Confirmation Not Sent', 'Order Completed'],
    orderId: 'unsent',
    drive: async (shop) => (await shop.succeed('askCakeMaker'), await shop.succeed('awaitDeliveryConfirmation')),
  },
  // The stand-in delivery handler meets an unexpected error for this order: the execution stops there, for a redrive.
  { name: 'stopped for redrive', stops: ['Notify Delivery Company'], orderId: 'stuck', drive: (shop) => shop.succeed('askCakeMaker') },
];

async function measure(path: Path) {
  const tokens = new Map<HandlerName, string>();
  let invocations = 0;
  const lambdas: LambdaRegistry = Object.fromEntries(
    Object.values(functionPlaceholders).map((handler) => [
      arnOf(handler),
      (payload: unknown) => {
        invocations++;
        const { orderId, taskToken } = payload as { orderId: string; taskToken?: string };
        if (handler === 'sendOrderConfirmation' && orderId === 'unsent') throw Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' });
        if (handler === 'notifyDeliveryCompany' && orderId === 'stuck') throw new OrderStateConflict(`Order ${orderId} cannot go out for delivery`);
        if (taskToken) tokens.set(handler, taskToken);
        return { ok: true };
      },
    ]),
  );
  // A stand-in bus that accepts every event, as the order's Publish states need one.
  const eventBridge: EventBridgePort = async ({ Entries }) => ({ FailedEntryCount: 0, Entries: Entries.map((_, index) => ({ EventId: `event-${index}` })) });
  const engine = await openEngine({ store: 'memory', clock: new ManualClock(), lambdas, eventBridge });
  const settle = () => engine.whenIdle();
  const shop: Shop = {
    succeed: async (handler, output = {}) => (await engine.sendTaskSuccess({ taskToken: tokens.get(handler), output: JSON.stringify(output) }), await settle()),
    fail: async (handler, error) => (await engine.sendTaskFailure({ taskToken: tokens.get(handler), error, cause: path.name }), await settle()),
    wait: async (seconds) => void (await engine.advanceClock(seconds)),
  };
  try {
    const { stateMachineArn } = await engine.createStateMachine({ name: 'order', definition });
    const orderId = path.orderId ?? 'o-1';
    const { executionArn } = await engine.startExecution({ stateMachineArn, name: `order-${orderId}`, input: JSON.stringify({ orderId, productId: 'carrot-cake', quantity: 1 }) });
    await settle();
    await path.drive(shop);
    const { events = [] } = await engine.getExecutionHistory({ executionArn, maxResults: 1000 });
    const entered = events.filter((event) => event.stateEnteredEventDetails).map((event) => event.stateEnteredEventDetails!.name!);
    const attempts = events.filter((event) => event.type === 'TaskScheduled' || event.type === 'LambdaFunctionScheduled').length;
    const taskStates = entered.filter((name) => asl.States[name].Type === 'Task').length;
    const walk = staticWalk(path.stops);
    if (entered[entered.length - 1] !== walk[walk.length - 1]) throw new Error(`${path.name} ended in ${entered[entered.length - 1]}, not ${walk[walk.length - 1]}`);
    return { entered, transitions: entered.length + attempts - taskStates, invocations, events: events.length, walk };
  } finally {
    await engine.close();
  }
}

async function main(): Promise<void> {
  const header = ['path', 'states entered', 'static shortest', 'same states', 'billed transitions', 'Lambda invocations', 'Tasks on walk', 'history events', 'USD / 1,000 orders'];
  const rows: string[][] = [];
  for (const path of paths) {
    const run = await measure(path);
    const walkTasks = run.walk.filter((name) => asl.States[name].Type === 'Task').length;
    const usd = (run.transitions * USD_PER_TRANSITION * 1000).toFixed(3);
    const same = run.entered.join('\n') === run.walk.join('\n') ? 'yes' : 'no';
    rows.push([path.name, String(run.entered.length), String(run.walk.length), same, String(run.transitions), String(run.invocations), String(walkTasks), String(run.events), `$${usd}`]);
  }
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (column === 0 ? `:${'-'.repeat(width + 1)}` : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  console.log([line(header), rule, ...rows.map(line)].join('\n'));
  const happy = rows[0];
  console.log(`\nHappy path on AWS Standard: ${happy[4]} transitions x $0.025 per 1,000 = ${happy[8]} per 1,000 orders (before free tier; Lambda billed separately).`);
  console.log('billed transitions = states entered (StartAt and the final Succeed/Fail included) + retried Task attempts.');
  console.log('static shortest = fewest states from StartAt, through the states the path must pass, to its end, in the ASL graph;');
  console.log('same states = the execution entered exactly that walk, in order. Tasks on walk = Lambda invocations the walk needs.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
