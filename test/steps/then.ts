import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import type { OrderSummary } from '../../functions/lib/order';
import { emailsMatching, waitForEmail, type EmailQuery, type SentEmail } from '../support/mailbox';
import { mailboxOf, type Shop } from './shop';
import { customerLooksUpOrder, json } from './when';

const pollMs = 100;

export async function eventually<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms; last seen: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

export function anEmailArrives(shop: Shop, query: EmailQuery): Promise<SentEmail> {
  return waitForEmail(mailboxOf(shop), query);
}

export function emailsTo(shop: Shop, query: EmailQuery): Promise<SentEmail[]> {
  return emailsMatching(mailboxOf(shop), query);
}

export async function theOrder(shop: Shop, orderId: string): Promise<OrderSummary> {
  const reply = await customerLooksUpOrder(shop, orderId);
  if (reply.status !== 200) throw new Error(`GET /order/${orderId} answered ${reply.status}: ${reply.text}`);
  return json<OrderSummary>(reply);
}

export function theOrderReaches(shop: Shop, orderId: string, status: string): Promise<OrderSummary> {
  return eventually(`Order ${orderId} reaching ${status}`, () => theOrder(shop, orderId), (order) => order.status === status);
}

export function executionArnOf(shop: Shop, orderId: string): string {
  return `${shop.stateMachineArn.replace(':stateMachine:', ':execution:')}:order-${orderId}`;
}

export async function theExecution(shop: Shop, orderId: string) {
  return theExecutionAt(shop, executionArnOf(shop, orderId));
}

export async function theExecutionAt(shop: Shop, executionArn: string) {
  return shop.stepFunctions.send(new DescribeExecutionCommand({ executionArn }));
}

export function theExecutionEnds(shop: Shop, orderId: string) {
  return eventually(`Execution order-${orderId} ending`, () => theExecution(shop, orderId), (execution) => execution.status !== 'RUNNING');
}

export async function historyOf(shop: Shop, orderId: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await shop.stepFunctions.send(new GetExecutionHistoryCommand({ executionArn: executionArnOf(shop, orderId), nextToken }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** The states the execution entered, in order: the path the order took through the workflow. */
export async function statesEntered(shop: Shop, orderId: string): Promise<string[]> {
  return (await historyOf(shop, orderId))
    .filter((event) => event.type?.endsWith('StateEntered'))
    .map((event) => event.stateEnteredEventDetails?.name ?? '');
}

/** Waits until the execution has entered `state`, such as a callback task now waiting on a person. */
export function theExecutionEnters(shop: Shop, orderId: string, state: string): Promise<string[]> {
  return eventually(`Execution order-${orderId} entering ${state}`, () => statesEntered(shop, orderId), (states) => states.includes(state));
}

/**
 * Waits until the execution sits in the callback task `state`: its Lambda has returned and the task waits for a
 * person. Emails go out from inside that Lambda, so an email arriving is not yet this.
 */
export function theWorkflowWaitsIn(shop: Shop, orderId: string, state: string): Promise<HistoryEvent[]> {
  return eventually(
    `Execution order-${orderId} waiting in ${state}`,
    () => historyOf(shop, orderId),
    (events) => {
      const entered = events.filter((event) => event.type === 'TaskStateEntered').pop();
      const afterEntered = entered ? events.slice(events.indexOf(entered)) : [];
      return entered?.stateEnteredEventDetails?.name === state && afterEntered.some((event) => event.type === 'TaskSubmitted');
    },
  );
}

/** Waits until a task of the execution has failed `times` times with `error`, as a retried task does. */
export function theTaskFails(shop: Shop, orderId: string, error: string, times = 1): Promise<HistoryEvent[]> {
  return eventually(
    `Execution order-${orderId} failing ${times} times with ${error}`,
    () => historyOf(shop, orderId),
    (events) => events.filter((event) => event.type === 'TaskFailed' && event.taskFailedEventDetails?.error === error).length >= times,
  );
}

/** How many executions the order state machine has had, whatever their status. */
export async function executionCount(shop: Shop): Promise<number> {
  let count = 0;
  let nextToken: string | undefined;
  do {
    const page = await shop.stepFunctions.send(new ListExecutionsCommand({ stateMachineArn: shop.stateMachineArn, nextToken }));
    count += page.executions?.length ?? 0;
    nextToken = page.nextToken;
  } while (nextToken);
  return count;
}
