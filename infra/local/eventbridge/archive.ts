import * as fs from 'node:fs';
import * as path from 'node:path';
import { EventPattern } from './event-pattern';
import type { EventBridgeEvent } from './store';

export interface ArchiveSpec {
  name: string;
  busName: string;
  /** JSON text; an archive without a pattern keeps every event of its bus. */
  eventPattern?: string;
  retentionDays?: number;
}

/**
 * An EventBridge archive: every event of its bus that matches its pattern, appended to
 * `<dataDir>/eventbridge-archives/<name>.jsonl` as the bus accepts it. Nothing is dropped after the retention the
 * template gives, since a developer's machine keeps far fewer events than AWS would expire.
 */
export class EventArchive {
  readonly #file: string;
  readonly #pattern: EventPattern | undefined;

  constructor(
    dataDir: string,
    readonly spec: ArchiveSpec,
  ) {
    const dir = path.join(dataDir, 'eventbridge-archives');
    fs.mkdirSync(dir, { recursive: true });
    this.#file = path.join(dir, `${spec.name}.jsonl`);
    this.#pattern = spec.eventPattern === undefined ? undefined : EventPattern.parse(spec.eventPattern);
  }

  get file(): string {
    return this.#file;
  }

  /**
   * Keeps the event if it was put on this archive's bus and matches its pattern. A replayed event is never kept
   * again: EventBridge's managed rule for an archive adds `"replay-name": [{"exists": false}]` to its pattern.
   */
  offer(busName: string, event: EventBridgeEvent): void {
    if (busName !== this.spec.busName || event['replay-name'] !== undefined || (this.#pattern && !this.#pattern.matches(event))) return;
    fs.appendFileSync(this.#file, `${JSON.stringify(event)}\n`);
  }

  /** The archived events, oldest first. */
  events(): EventBridgeEvent[] {
    return readArchive(this.#file);
  }

  /** When the archive was created: its file's creation, in epoch seconds. */
  creationTime(): number {
    if (!fs.existsSync(this.#file)) fs.writeFileSync(this.#file, '');
    const stat = fs.statSync(this.#file);
    return Math.floor((stat.birthtimeMs || stat.ctimeMs) / 1000);
  }
}

/** The events of an archive file, oldest first; none when the archive has kept nothing yet. */
export function readArchive(file: string): EventBridgeEvent[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as EventBridgeEvent);
}
