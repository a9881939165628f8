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

  test.each([
    ['whole seconds', '2024-05-01T12:00:00Z', '2024-05-01T12:00:00Z'],
    ['milliseconds', '2024-05-01T12:00:00.250Z', '2024-05-01T12:00:00Z'],
    ['two fraction digits', '2024-05-01T12:00:00.25Z', '2024-05-01T12:00:00Z'],
    ['microseconds', '2024-05-01T12:00:00.999999Z', '2024-05-01T12:00:00Z'],
    ['seven fraction digits', '2024-05-01T12:00:00.0000000Z', '2024-05-01T12:00:00Z'],
    ['nanoseconds', '2024-05-01T12:00:01.123456789Z', '2024-05-01T12:00:01Z'],
    ['a positive offset', '2024-05-01T14:00:00.5+02:00', '2024-05-01T12:00:00Z'],
    ['a negative offset', '2024-05-01T08:30:00-03:30', '2024-05-01T12:00:00Z'],
  ])('A TimestampPath with %s waits until that instant, its fraction of a second dropped', (_, until, instant) => {
    // GIVEN a delivery time written at that precision and offset
    // WHEN the Wait state reads it
    const wakeAt = waitUntil(wait({ TimestampPath: '$.until' }), { until }, now, context);
    // THEN it wakes on the whole second, as AWS considers the time only up to seconds
    expect(wakeAt).toBe(Date.parse(instant));
  });

  test('A Timestamp with milliseconds waits until the whole second', () => {
    // GIVEN a fixed delivery time with milliseconds
    // WHEN the Wait state reads it
    const wakeAt = waitUntil(wait({ Timestamp: '2024-05-02T00:00:00.999Z' }), {}, now, context);
    // THEN the milliseconds are truncated
    expect(wakeAt).toBe(Date.parse('2024-05-02T00:00:00Z'));
  });

  test.each([
    ['no offset', '2024-05-01T12:00:00'],
    ['a fraction and no offset', '2024-05-01T12:00:00.000000'],
    ['an offset without a colon', '2024-05-01T12:00:00+0200'],
    ['a space for the T', '2024-05-01 12:00:00Z'],
    ['a lowercase t and z', '2024-05-01t12:00:00z'],
    ['no seconds', '2024-05-01T12:00Z'],
    ['more than nine fraction digits', '2024-05-01T12:00:00.1234567891Z'],
    ['a date only', '2024-05-01'],
    ['a day that does not exist', '2024-02-30T12:00:00Z'],
  ])('A TimestampPath value with %s fails the execution with States.Runtime and AWS\'s cause', (_, until) => {
    // GIVEN a delivery time AWS does not accept
    // WHEN the Wait state reads it
    const error = statesErrorOf(() => waitUntil(wait({ TimestampPath: '$.until' }), { until }, now, context));
    // THEN it fails as AWS does
    expect(error.error).toBe('States.Runtime');
    expect(error.cause).toBe(`The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.until == ${until}`);
  });

  test('A TimestampPath value that is a number fails with States.Runtime', () => {
    // GIVEN epoch seconds where a timestamp belongs
    // WHEN the Wait state reads them
    const error = statesErrorOf(() => waitUntil(wait({ TimestampPath: '$.until' }), { until: 1714564800 }, now, context));
    // THEN the value is named in AWS's cause
    expect(error.error).toBe('States.Runtime');
    expect(error.cause).toBe('The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.until == 1714564800');
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
