import { ClassicLevel } from 'classic-level';
import { MemoryLevel } from 'memory-level';

// MemoryLevel implements the same abstract-level interface; typing both as ClassicLevel keeps one code path.
type Level = ClassicLevel<string, string>;
type Operation = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

/**
 * The engine's LevelDB, with group commit: writes queue in memory and go to disk in one atomic batch per turn
 * of the event loop, so a thousand executions stepping at once cost one write, not a thousand. `flush()`
 * resolves once everything queued before it is on disk; the engine awaits it before any effect another
 * process can see (a Lambda invocation, an API response).
 */
export class Store {
  private queued: Operation[] = [];
  // Reads must see queued and in-flight writes, so they go through this overlay first.
  private overlay = new Map<string, { value: string | null; sequence: number }>();
  private sequence = 0;
  private writing: Promise<void> | undefined;
  private waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;
  private failure: unknown;

  /** Called just before each batch is cut, so the caller can add the writes that must land atomically with it. */
  beforeWrite: () => void = () => undefined;

  private constructor(private readonly db: Level) {}

  static async open(location: { dataDir: string } | { store: 'memory' }): Promise<Store> {
    const db = 'dataDir' in location ? new ClassicLevel<string, string>(location.dataDir) : (new MemoryLevel<string, string>() as unknown as Level);
    await db.open();
    return new Store(db);
  }

  /** Queues a write. `readBack: false` skips the read-your-writes overlay, for keys read only through `scan`. */
  put(key: string, value: string, readBack = true): void {
    this.queued.push({ type: 'put', key, value });
    if (readBack) this.overlay.set(key, { value, sequence: ++this.sequence });
    this.schedule();
  }

  del(key: string): void {
    this.queued.push({ type: 'del', key });
    this.overlay.set(key, { value: null, sequence: ++this.sequence });
    this.schedule();
  }

  async get(key: string): Promise<string | undefined> {
    const pending = this.overlay.get(key);
    if (pending !== undefined) return pending.value ?? undefined;
    return this.db.get(key);
  }

  /** Resolves when every write queued so far is on disk. */
  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.schedule();
    });
  }

  get busy(): boolean {
    return this.scheduled || this.queued.length > 0 || this.writing !== undefined;
  }

  /** Entries whose keys start with `prefix`, in key order (or reverse), once queued writes are on disk. */
  async *scan(prefix: string, options: { reverse?: boolean } = {}): AsyncGenerator<[string, string]> {
    await this.flush();
    const iterator = this.db.iterator({ gte: prefix, lt: `${prefix}\uffff`, reverse: options.reverse });
    try {
      for (;;) {
        const entries = await iterator.nextv(1000);
        if (entries.length === 0) return;
        for (const entry of entries) yield entry;
      }
    } finally {
      await iterator.close();
    }
  }

  async close(): Promise<void> {
    await this.flush().catch(() => undefined);
    await this.db.close();
  }

  private schedule(): void {
    if (this.scheduled || this.writing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.write();
    });
  }

  /** Asks for a batch soon even though nothing is queued, so `beforeWrite` gets its turn. */
  nudge(): void {
    this.schedule();
  }

  private async write(): Promise<void> {
    if (this.writing) return;
    this.beforeWrite();
    if (this.queued.length === 0 && this.waiters.length === 0) return;
    const batch = this.queued;
    const waiters = this.waiters;
    const written = this.sequence;
    this.queued = [];
    this.waiters = [];
    this.writing = batch.length === 0 ? Promise.resolve() : this.db.batch(batch);
    // Only the keys are needed afterwards; letting go of the values early spares the garbage collector.
    const writtenKeys = batch.map((operation) => operation.key);
    try {
      await this.writing;
      for (const key of writtenKeys) {
        // A write queued after this batch keeps its overlay entry.
        const pending = this.overlay.get(key);
        if (pending && pending.sequence <= written) this.overlay.delete(key);
      }
      for (const waiter of waiters) waiter.resolve();
    } catch (error) {
      this.failure = error;
      for (const waiter of waiters) waiter.reject(error);
    } finally {
      this.writing = undefined;
    }
    if (this.queued.length > 0 || this.waiters.length > 0) void this.write();
  }
}
