import {
  DEFAULT_TASK_TIMEOUT_SECONDS,
  failure,
  taskTimeouts,
  waitUntil,
  type FailState,
  type TaskState,
  type WaitState,
} from '../../../infra/local/engine/asl';
import { aContext, statesErrorOf } from './support';

const now = Date.parse('2024-05-01T10:00:00Z');
const context = aContext();
const wait = (fields: Partial<WaitState>): WaitState => ({ Type: 'Wait', End: true, ...fields });
const task = (fields: Partial<TaskState> = {}): TaskState => ({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true, ...fields });

describe('Wait', () => {
  test('Seconds waits that many seconds from now', () => {
    expect(waitUntil(wait({ Seconds: 90 }), {}, now, context)).toBe(now + 90_000);
  });

  test('SecondsPath reads the seconds from the input', () => {
    expect(waitUntil(wait({ SecondsPath: '$.delay' }), { delay: 5 }, now, context)).toBe(now + 5000);
  });

  test('Timestamp waits until that instant', () => {
    expect(waitUntil(wait({ Timestamp: '2024-05-02T00:00:00Z' }), {}, now, context)).toBe(Date.parse('2024-05-02T00:00:00Z'));
  });

  test('TimestampPath reads the instant from the input, honouring its offset', () => {
    expect(waitUntil(wait({ TimestampPath: '$.until' }), { until: '2024-05-01T12:00:00+02:00' }, now, context)).toBe(now);
  });

  test('A SecondsPath value that is not a non-negative integer raises States.Runtime', () => {
    expect(statesErrorOf(() => waitUntil(wait({ SecondsPath: '$.delay' }), { delay: -1 }, now, context)).error).toBe('States.Runtime');
    expect(statesErrorOf(() => waitUntil(wait({ SecondsPath: '$.delay' }), { delay: '5' }, now, context)).error).toBe('States.Runtime');
  });

  test('A TimestampPath value that is not a timestamp raises States.Runtime', () => {
    expect(statesErrorOf(() => waitUntil(wait({ TimestampPath: '$.until' }), { until: 'tomorrow' }, now, context)).error).toBe('States.Runtime');
  });

  test('A SecondsPath that matches nothing raises States.Runtime', () => {
    expect(statesErrorOf(() => waitUntil(wait({ SecondsPath: '$.delay' }), {}, now, context)).error).toBe('States.Runtime');
  });
});

describe('Task timeouts', () => {
  test('Without TimeoutSeconds a task may run 99999999 seconds, not 60', () => {
    expect(taskTimeouts(task(), {}, context)).toEqual({ timeoutSeconds: DEFAULT_TASK_TIMEOUT_SECONDS });
    expect(DEFAULT_TASK_TIMEOUT_SECONDS).toBe(99_999_999);
  });

  test('TimeoutSeconds and HeartbeatSeconds are taken as written', () => {
    expect(taskTimeouts(task({ TimeoutSeconds: 300, HeartbeatSeconds: 60 }), {}, context)).toEqual({ timeoutSeconds: 300, heartbeatSeconds: 60 });
  });

  test('TimeoutSecondsPath and HeartbeatSecondsPath read the state input', () => {
    const state = task({ TimeoutSecondsPath: '$.settings.reminderAfterSeconds', HeartbeatSecondsPath: '$.settings.heartbeat' });
    expect(taskTimeouts(state, { settings: { reminderAfterSeconds: 86400, heartbeat: 600 } }, context)).toEqual({ timeoutSeconds: 86400, heartbeatSeconds: 600 });
  });

  test('A TimeoutSecondsPath value that is not a positive integer raises States.Runtime', () => {
    expect(statesErrorOf(() => taskTimeouts(task({ TimeoutSecondsPath: '$.t' }), { t: 0 }, context)).error).toBe('States.Runtime');
  });

  test('A heartbeat not shorter than the timeout raises States.Runtime', () => {
    expect(statesErrorOf(() => taskTimeouts(task({ TimeoutSeconds: 60, HeartbeatSecondsPath: '$.h' }), { h: 60 }, context)).error).toBe('States.Runtime');
  });
});

describe('Fail', () => {
  test('Error and Cause are taken as written', () => {
    const state: FailState = { Type: 'Fail', Error: 'OrderRejected', Cause: 'The cake maker declined.' };
    expect(failure(state, {}, context)).toEqual({ error: 'OrderRejected', cause: 'The cake maker declined.' });
  });

  test('ErrorPath and CausePath read the error output a catcher stored', () => {
    const state: FailState = { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' };
    expect(failure(state, { error: { Error: 'OrderNotFound', Cause: 'no order 42' } }, context)).toEqual({ error: 'OrderNotFound', cause: 'no order 42' });
  });

  test('CausePath may be an intrinsic function', () => {
    const state: FailState = { Type: 'Fail', Error: 'OrderFailed', CausePath: "States.Format('Order {} failed in {}', $.orderId, $$.Execution.Name)" };
    expect(failure(state, { orderId: '42' }, context)).toEqual({ error: 'OrderFailed', cause: 'Order 42 failed in order-42' });
  });

  test('A Fail state without Error or Cause reports neither', () => {
    expect(failure({ Type: 'Fail' }, {}, context)).toEqual({});
  });

  test('An ErrorPath that does not select a string raises States.Runtime', () => {
    expect(statesErrorOf(() => failure({ Type: 'Fail', ErrorPath: '$.error' }, { error: { Error: 'x' } }, context)).error).toBe('States.Runtime');
  });
});
