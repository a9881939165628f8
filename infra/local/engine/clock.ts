/** The engine's only source of time: every deadline is an absolute epoch-millisecond value compared with `now()`. */
export interface Clock {
  now(): number;
  /** Calls `callback` once, when the clock reaches `at` or later. Returns a function that cancels it. */
  schedule(at: number, callback: () => void): () => void;
}

// Node's setTimeout overflows past 2^31-1 ms (24.8 days) and fires at once, so long deadlines are reached in hops.
const LONGEST_TIMEOUT_MS = 2 ** 31 - 1;

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  schedule(at: number, callback: () => void): () => void {
    let timer: NodeJS.Timeout | undefined;
    const arm = (woken: boolean) => {
      const delay = at - Date.now();
      // A deadline already due is reported on the next turn, never inside schedule() itself.
      if (delay <= 0 && woken) {
        callback();
        return;
      }
      timer = setTimeout(() => arm(true), Math.min(Math.max(delay, 0), LONGEST_TIMEOUT_MS));
    };
    arm(false);
    return () => clearTimeout(timer);
  }
}

/** A clock that moves only when told to, so a test can cross a three-day timeout in milliseconds. */
export class ManualClock implements Clock {
  private current: number;
  private waiting: { at: number; callback: () => void }[] = [];

  constructor(start: number | Date = Date.UTC(2026, 0, 1)) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  schedule(at: number, callback: () => void): () => void {
    const entry = { at, callback };
    this.waiting.push(entry);
    this.fireDue();
    return () => {
      this.waiting = this.waiting.filter((waiting) => waiting !== entry);
    };
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`ManualClock can only move forward, got ${ms} ms`);
    this.set(this.current + ms);
  }

  set(time: number | Date): void {
    const next = typeof time === 'number' ? time : time.getTime();
    if (next < this.current) throw new RangeError(`ManualClock can only move forward, from ${this.current} to ${next}`);
    this.current = next;
    this.fireDue();
  }

  private fireDue(): void {
    const due = this.waiting.filter((entry) => entry.at <= this.current);
    if (due.length === 0) return;
    this.waiting = this.waiting.filter((entry) => entry.at > this.current);
    for (const entry of due) entry.callback();
  }
}
