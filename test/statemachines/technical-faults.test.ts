import * as fs from 'node:fs';
import * as path from 'node:path';
import { lambdaFunctionArn, ManualClock, openEngine, type Engine } from '../../infra/local/engine';
import { resolveSettings } from '../../infra/settings';
import { functionPlaceholders, orderStateMachineFile, settingPlaceholders, type HandlerName } from '../../infra/wiring';

const settings = resolveSettings();
const arnOf = (handler: HandlerName) => lambdaFunctionArn({ region: 'us-east-1', accountId: '000000000000' }, handler);

function deployedDefinition(): string {
  let text = fs.readFileSync(path.join(__dirname, '..', '..', orderStateMachineFile), 'utf8');
  for (const [placeholder, handler] of Object.entries(functionPlaceholders)) text = text.replaceAll(`\${${placeholder}}`, arnOf(handler));
  for (const [placeholder, setting] of Object.entries(settingPlaceholders)) text = text.replaceAll(`\${${placeholder}}`, String(settings[setting]));
  return text;
}

class NamedError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

interface Run {
  engine: Engine;
  executionArn: string;
  /** Payloads each stand-in handler received, in order. */
  calls: Map<HandlerName, Record<string, unknown>[]>;
  /** The task token the cake maker's task received, as the fulfil email would carry it. */
  cakeMakerToken: () => string;
}

/** One order on the local engine, with stand-in handlers; `failing` handlers throw the given error. */
async function placeOrder(failing: Partial<Record<HandlerName, Error>> = {}): Promise<Run> {
  const calls = new Map<HandlerName, Record<string, unknown>[]>();
  const lambdas = Object.fromEntries(
    Object.values(functionPlaceholders).map((handler) => [
      arnOf(handler),
      (payload: unknown) => {
        calls.set(handler, [...(calls.get(handler) ?? []), payload as Record<string, unknown>]);
        const error = failing[handler];
        if (error) throw error;
        return {};
      },
    ]),
  );
  const engine = await openEngine({ store: 'memory', clock: new ManualClock(), lambdas });
  const { stateMachineArn } = await engine.createStateMachine({ name: 'order', definition: deployedDefinition() });
  const { executionArn } = await engine.startExecution({ stateMachineArn, name: 'order-o-1', input: JSON.stringify({ orderId: 'o-1' }) });
  await engine.whenIdle();
  if (!executionArn) throw new Error('The order execution did not start');
  return {
    engine,
    executionArn,
    calls,
    cakeMakerToken: () => {
      const token = calls.get('askCakeMaker')?.at(-1)?.taskToken;
      if (typeof token !== 'string') throw new Error('The cake maker was not asked');
      return token;
    },
  };
}

async function statesEntered(run: Run): Promise<string[]> {
  const { events = [] } = await run.engine.getExecutionHistory({ executionArn: run.executionArn, maxResults: 1000 });
  return events.flatMap((event) => (event.stateEnteredEventDetails?.name ? [event.stateEnteredEventDetails.name] : []));
}

describe('the compensation path', () => {
  let run: Run | undefined;
  afterEach(async () => run?.engine.close());

  it('GIVEN a wait failed with an error name and no cause WHEN the workflow catches it THEN the order is marked FAILED, the customer told, and the execution fails with that name', async () => {
    run = await placeOrder();

    await run.engine.sendTaskFailure({ taskToken: run.cakeMakerToken(), error: 'CakeMakerUnreachable' });
    await run.engine.whenIdle();

    expect((await statesEntered(run)).slice(-3)).toEqual(['Mark Order Failed', 'Tell Customer Order Failed', 'Order Failed']);
    expect(run.calls.get('setOrderStatus')).toEqual([expect.objectContaining({ status: 'FAILED', failure: { Error: 'CakeMakerUnreachable' } })]);
    expect(run.calls.get('sendNotice')).toEqual([expect.objectContaining({ notice: 'orderFailed' })]);
    expect(await run.engine.describeExecution({ executionArn: run.executionArn })).toMatchObject({ status: 'FAILED', error: 'CakeMakerUnreachable' });
  });

  it('GIVEN a handler failed with its own error WHEN the workflow catches it THEN Mark Order Failed gets the error and its cause, and the execution names both', async () => {
    run = await placeOrder({ sendOrderConfirmation: new NamedError('OrderNotFound', 'Order o-1 does not exist') });

    const failure = run.calls.get('setOrderStatus')?.[0]?.failure as { Error: string; Cause: string };

    expect(failure.Error).toBe('OrderNotFound');
    expect(JSON.parse(failure.Cause)).toMatchObject({ errorType: 'OrderNotFound', errorMessage: 'Order o-1 does not exist' });
    const execution = await run.engine.describeExecution({ executionArn: run.executionArn });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'OrderNotFound' });
    expect(execution.cause).toContain('Order o-1 does not exist');
  });

  it('GIVEN marking the order failed fails too WHEN the workflow gives up THEN the customer is still told and the execution fails with the original error', async () => {
    run = await placeOrder({
      sendOrderConfirmation: new NamedError('OrderNotFound', 'Order o-1 does not exist'),
      setOrderStatus: new NamedError('OrderStateConflict', 'The order could not be marked'),
    });

    expect((await statesEntered(run)).slice(-3)).toEqual(['Mark Order Failed', 'Tell Customer Order Failed', 'Order Failed']);
    expect(run.calls.get('sendNotice')).toEqual([expect.objectContaining({ notice: 'orderFailed' })]);
    expect(await run.engine.describeExecution({ executionArn: run.executionArn })).toMatchObject({ status: 'FAILED', error: 'OrderNotFound' });
  });

  it('GIVEN neither marking the order nor telling the customer works WHEN the workflow gives up THEN the execution still fails with the original error', async () => {
    run = await placeOrder({
      sendOrderConfirmation: new NamedError('OrderNotFound', 'Order o-1 does not exist'),
      setOrderStatus: new NamedError('OrderStateConflict', 'The order could not be marked'),
      sendNotice: new NamedError('OrderNotFound', 'Order o-1 does not exist'),
    });

    expect((await statesEntered(run)).slice(-3)).toEqual(['Mark Order Failed', 'Tell Customer Order Failed', 'Order Failed']);
    expect(await run.engine.describeExecution({ executionArn: run.executionArn })).toMatchObject({ status: 'FAILED', error: 'OrderNotFound' });
  });
});
