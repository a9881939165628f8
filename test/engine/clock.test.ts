import { ManualClock, SystemClock } from '../../infra/local/engine';

const DAY_MS = 24 * 3600 * 1000;

describe('engine clocks', () => {
  afterEach(() => jest.useRealTimers());

  test('SystemClock reaches a deadline 40 days out, past the 24.8 days setTimeout can hold, and not before', () => {
    // GIVEN the system clock with Node's timers under jest's control
    jest.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
    const clock = new SystemClock();
    const fired = jest.fn();

    // WHEN a deadline 40 days away is scheduled and 39 days pass
    clock.schedule(Date.now() + 40 * DAY_MS, fired);
    jest.advanceTimersByTime(39 * DAY_MS);
    const early = fired.mock.calls.length;
    jest.advanceTimersByTime(DAY_MS);

    // THEN it fired once, on the 40th day
    expect(early).toBe(0);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  test('ManualClock fires what is due when advanced, and only that', () => {
    // GIVEN two deadlines, one and three hours away
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const fired: string[] = [];
    clock.schedule(clock.now() + 3600_000, () => fired.push('one hour'));
    clock.schedule(clock.now() + 3 * 3600_000, () => fired.push('three hours'));

    // WHEN two hours pass
    clock.advance(2 * 3600_000);

    // THEN only the first fired
    expect(fired).toEqual(['one hour']);
  });

  test('ManualClock refuses to go back in time', () => {
    // GIVEN a manual clock / WHEN it is set to the past / THEN it says so
    const clock = new ManualClock(Date.UTC(2026, 0, 2));
    expect(() => clock.set(Date.UTC(2026, 0, 1))).toThrow(RangeError);
  });
});
