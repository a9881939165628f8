import {
  assertPayloadSize,
  errorMatches,
  findCatcher,
  findRetrier,
  PAYLOAD_LIMIT_BYTES,
  retryDelayMs,
  type Catcher,
  type Retrier,
} from '../../../infra/local/engine/asl';
import { statesErrorOf } from './support';

describe('ErrorEquals matching', () => {
  test('An error name matches itself exactly, case-sensitively', () => {
    expect(errorMatches(['OrderCancelled'], 'OrderCancelled')).toBe(true);
    expect(errorMatches(['OrderCancelled'], 'ordercancelled')).toBe(false);
  });

  test('States.ALL matches any error name', () => {
    expect(errorMatches(['States.ALL'], 'Lambda.ServiceException')).toBe(true);
    expect(errorMatches(['States.ALL'], 'States.Timeout')).toBe(true);
  });

  test('States.ALL does not catch States.Runtime', () => {
    expect(errorMatches(['States.ALL'], 'States.Runtime')).toBe(false);
  });

  test('States.Runtime cannot be caught even by name', () => {
    expect(errorMatches(['States.Runtime'], 'States.Runtime')).toBe(false);
  });

  test('States.ALL does not catch States.DataLimitExceeded', () => {
    expect(errorMatches(['States.ALL'], 'States.DataLimitExceeded')).toBe(false);
  });

  test('States.TaskFailed matches any task error', () => {
    expect(errorMatches(['States.TaskFailed'], 'DependencyUnavailable')).toBe(true);
    expect(errorMatches(['States.TaskFailed'], 'Lambda.Unknown')).toBe(true);
  });

  test('States.TaskFailed does not match States.Timeout', () => {
    expect(errorMatches(['States.TaskFailed'], 'States.Timeout')).toBe(false);
  });

  test('States.TaskFailed does not match a heartbeat timeout either', () => {
    expect(errorMatches(['States.TaskFailed'], 'States.HeartbeatTimeout')).toBe(false);
  });

  test('States.Timeout matches a heartbeat timeout, which is a kind of task timeout', () => {
    expect(errorMatches(['States.Timeout'], 'States.HeartbeatTimeout')).toBe(true);
  });

  test('States.HeartbeatTimeout does not match a task that ran past its TimeoutSeconds', () => {
    expect(errorMatches(['States.HeartbeatTimeout'], 'States.Timeout')).toBe(false);
  });

  test('A failure that names no error is matched by States.ALL and States.TaskFailed only', () => {
    // GIVEN a failure from a Fail state without Error WHEN catchers are matched THEN only the wildcards take it
    expect(errorMatches(['States.ALL'], undefined)).toBe(true);
    expect(errorMatches(['States.TaskFailed'], undefined)).toBe(true);
    expect(errorMatches(['CakeSquashed', 'States.Timeout'], undefined)).toBe(false);
  });

  test('Any name in the list may match', () => {
    expect(errorMatches(['Lambda.ServiceException', 'DependencyUnavailable'], 'DependencyUnavailable')).toBe(true);
  });
});

describe('Retry', () => {
  const retriers: Retrier[] = [
    { ErrorEquals: ['ErrorA', 'ErrorB'], IntervalSeconds: 1, BackoffRate: 2.0, MaxAttempts: 2 },
    { ErrorEquals: ['ErrorC'], IntervalSeconds: 5 },
  ];

  test('The first retrier whose ErrorEquals matches retries the error', () => {
    expect(findRetrier(retriers, 'ErrorC', [0, 0])).toBe(1);
  });

  test('Retry counts are kept per retrier across different errors it matches', () => {
    // GIVEN ErrorA and ErrorB already used both attempts of the first retrier
    const used = [2, 1];
    // WHEN ErrorB recurs THEN no retry is left, and Catch applies
    expect(findRetrier(retriers, 'ErrorB', used)).toBeUndefined();
  });

  test('An exhausted first matching retrier is not passed over for a later matching one', () => {
    const overlapping: Retrier[] = [
      { ErrorEquals: ['DependencyUnavailable'], MaxAttempts: 1 },
      { ErrorEquals: ['States.ALL'], MaxAttempts: 5 },
    ];
    expect(findRetrier(overlapping, 'DependencyUnavailable', [1, 0])).toBeUndefined();
  });

  test('MaxAttempts defaults to 3', () => {
    const retry: Retrier[] = [{ ErrorEquals: ['States.ALL'] }];
    expect(findRetrier(retry, 'Boom', [2])).toBe(0);
    expect(findRetrier(retry, 'Boom', [3])).toBeUndefined();
  });

  test('MaxAttempts 0 never retries', () => {
    expect(findRetrier([{ ErrorEquals: ['States.Timeout'], MaxAttempts: 0 }, { ErrorEquals: ['States.ALL'] }], 'States.Timeout', [0, 0])).toBeUndefined();
  });

  test('No retrier applies when none matches or there is no Retry field', () => {
    expect(findRetrier(retriers, 'ErrorZ', [0, 0])).toBeUndefined();
    expect(findRetrier(undefined, 'ErrorA', [])).toBeUndefined();
  });

  test('States.Runtime is never retried', () => {
    expect(findRetrier([{ ErrorEquals: ['States.ALL'] }], 'States.Runtime', [0])).toBeUndefined();
  });

  test('The delay grows by BackoffRate with each retry', () => {
    const retrier: Retrier = { ErrorEquals: ['States.Timeout'], IntervalSeconds: 3, MaxAttempts: 2, BackoffRate: 1.5 };
    expect([0, 1].map((attempt) => retryDelayMs(retrier, attempt, Math.random))).toEqual([3000, 4500]);
  });

  test('IntervalSeconds defaults to 1 and BackoffRate to 2.0', () => {
    expect([0, 1, 2].map((attempt) => retryDelayMs({ ErrorEquals: ['X'] }, attempt, Math.random))).toEqual([1000, 2000, 4000]);
  });

  test('MaxDelaySeconds caps the delay', () => {
    const retrier: Retrier = { ErrorEquals: ['X'], IntervalSeconds: 5, BackoffRate: 2, MaxDelaySeconds: 30 };
    expect(retryDelayMs(retrier, 4, Math.random)).toBe(30_000);
  });

  test('JitterStrategy FULL picks a random delay between 0 and the capped backoff', () => {
    const retrier: Retrier = { ErrorEquals: ['X'], IntervalSeconds: 5, BackoffRate: 2, MaxDelaySeconds: 30, JitterStrategy: 'FULL' };
    expect(retryDelayMs(retrier, 4, () => 0.5)).toBe(15_000);
    expect(retryDelayMs(retrier, 1, () => 0.25)).toBe(2500);
  });

  test('JitterStrategy NONE uses the computed backoff', () => {
    expect(retryDelayMs({ ErrorEquals: ['X'], JitterStrategy: 'NONE' }, 1, () => 0)).toBe(2000);
  });
});

describe('Catch', () => {
  const catchers: Catcher[] = [
    { ErrorEquals: ['OrderCancelled'], Next: 'Mark Order Cancelled By Customer' },
    { ErrorEquals: ['States.Timeout'], Next: 'Remind Cake Maker' },
    { ErrorEquals: ['States.ALL'], Next: 'Mark Order Failed' },
  ];

  test('Catchers are tried in order and the first match is used', () => {
    expect(findCatcher(catchers, 'States.Timeout')?.Next).toBe('Remind Cake Maker');
    expect(findCatcher(catchers, 'OrderCancelled')?.Next).toBe('Mark Order Cancelled By Customer');
  });

  test('A final States.ALL catcher takes every other error', () => {
    expect(findCatcher(catchers, 'OrderNotFound')?.Next).toBe('Mark Order Failed');
  });

  test('No catcher takes States.Runtime, so the execution fails', () => {
    expect(findCatcher(catchers, 'States.Runtime')).toBeUndefined();
  });

  test('No catcher applies without a Catch field', () => {
    expect(findCatcher(undefined, 'OrderNotFound')).toBeUndefined();
  });
});

describe('Payload size', () => {
  const payloadOfBytes = (bytes: number) => 'x'.repeat(bytes - 2);

  test('A payload of exactly 256 KiB is accepted', () => {
    expect(() => assertPayloadSize(payloadOfBytes(PAYLOAD_LIMIT_BYTES))).not.toThrow();
  });

  test('A payload over 256 KiB raises States.DataLimitExceeded', () => {
    expect(statesErrorOf(() => assertPayloadSize(payloadOfBytes(PAYLOAD_LIMIT_BYTES + 1))).error).toBe('States.DataLimitExceeded');
  });

  test('The size is counted in UTF-8 bytes, not characters', () => {
    const cakes = '🎂'.repeat(PAYLOAD_LIMIT_BYTES / 4);
    expect(statesErrorOf(() => assertPayloadSize(cakes)).error).toBe('States.DataLimitExceeded');
  });
});
