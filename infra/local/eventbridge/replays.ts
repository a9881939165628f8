import * as path from 'node:path';
import type { EventArchive } from './archive';
import { EventBridgeError } from './errors';
import { constraint, list, namePattern, overLimit, page, requiredText, text, validation, type Input } from './input';
import { readJson, writeJson, type EventBridgeEvent } from './store';

type ReplayState = 'STARTING' | 'RUNNING' | 'CANCELLING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

interface Replay {
  ReplayName: string;
  ReplayArn: string;
  Description?: string;
  State: ReplayState;
  StateReason?: string;
  EventSourceArn: string;
  Destination: { Arn: string; FilterArns?: string[] };
  /** Epoch seconds, as the JSON protocol carries timestamps. */
  EventStartTime: number;
  EventEndTime: number;
  EventLastReplayedTime?: number;
  ReplayStartTime: number;
  ReplayEndTime?: number;
}

/** Where a replay puts each event: its destination bus, to the rules `ruleArns` names or to all when it names none. */
export type ReplayRoute = (busName: string, event: EventBridgeEvent, ruleArns: string[] | undefined) => void;

/** The archive's ARN, name and source, as the API names them. */
export interface ArchiveRef {
  archive: EventArchive;
  arn: string;
  busArn: string;
}

const activeReplaysPerAccount = 10;
const eventsPerTurn = 100;
const active = (replay: Replay) => replay.State === 'STARTING' || replay.State === 'RUNNING' || replay.State === 'CANCELLING';
const seconds = (time: string) => Date.parse(time) / 1000;

/**
 * The archive and replay actions. A replay puts a copy of each archived event whose `time` falls in its window back on
 * the archive's bus, oldest first and `eventsPerTurn` at a time, with `replay-name` added and to the rules its
 * destination filters on. Replays are kept in `<dataDir>/eventbridge-replays.json`; one a stop cut off is FAILED at
 * the next start, as its events are not delivered twice by picking it up again.
 */
export class Replays {
  readonly #file: string;
  readonly #replays: Replay[];

  constructor(
    dataDir: string,
    private readonly archives: ArchiveRef[],
    private readonly arnOf: (name: string) => string,
    private readonly busNameOfArn: (arn: string) => string,
    private readonly ruleExists: (ruleArn: string) => boolean,
    private readonly route: ReplayRoute,
  ) {
    this.#file = path.join(dataDir, 'eventbridge-replays.json');
    this.#replays = readJson<Replay[]>(this.#file, []);
    for (const replay of this.#replays.filter(active)) {
      Object.assign(replay, { State: 'FAILED', StateReason: 'The local EventBridge stopped before the replay finished; start a new replay.' });
    }
    this.#save();
  }

  listArchives(input: Input) {
    const prefix = text(input, 'NamePrefix', { max: 48 }) ?? '';
    const source = text(input, 'EventSourceArn', { max: 1600 });
    const archives = this.archives
      .filter(({ archive, busArn }) => archive.spec.name.startsWith(prefix) && (source === undefined || source === busArn))
      .map((ref) => {
        const { ArchiveName, EventSourceArn, State, RetentionDays, SizeBytes, EventCount, CreationTime } = this.#described(ref);
        return { ArchiveName, EventSourceArn, State, RetentionDays, SizeBytes, EventCount, CreationTime };
      });
    const { items, NextToken } = page(archives, input);
    return { Archives: items, NextToken };
  }

  describeArchive(input: Input) {
    return this.#described(this.#archive(requiredText(input, 'ArchiveName', { max: 48, pattern: namePattern }), 'name'));
  }

  startReplay(input: Input) {
    const name = requiredText(input, 'ReplayName', { max: 64, pattern: namePattern });
    const description = text(input, 'Description', { max: 512 });
    const ref = this.#archive(requiredText(input, 'EventSourceArn', { max: 1600 }), 'arn');
    const [start, end] = ['EventStartTime', 'EventEndTime'].map((key) => {
      const value = input[key];
      if (typeof value !== 'number') throw constraint(key[0].toLowerCase() + key.slice(1), value ?? null, 'not be null');
      return value;
    });
    if (start >= end) throw validation('Parameter EventStartTime is not valid. Reason: EventStartTime must be before EventEndTime.');
    const destination = (input.Destination ?? {}) as Input;
    const destinationArn = requiredText(destination, 'Arn', { max: 1600 });
    if (destinationArn !== ref.busArn) throw validation(`Parameter Destination.Arn is not valid. Reason: a replay goes back to the archive's event bus, ${ref.busArn}.`);
    const filterArns = list(destination, 'FilterArns') as string[] | undefined;
    const unknown = (filterArns ?? []).find((arn) => typeof arn !== 'string' || !this.ruleExists(arn));
    if (unknown !== undefined) throw new EventBridgeError('ResourceNotFoundException', `Rule ${String(unknown)} does not exist on EventBus ${this.busNameOfArn(ref.busArn)}.`);
    if (this.#replays.some((replay) => replay.ReplayName === name)) throw new EventBridgeError('ResourceAlreadyExistsException', `Replay ${name} already exists.`);
    if (this.#replays.filter(active).length >= activeReplaysPerAccount) throw overLimit();

    const replay: Replay = {
      ReplayName: name,
      ReplayArn: this.arnOf(name),
      Description: description,
      State: 'STARTING',
      EventSourceArn: ref.arn,
      Destination: { Arn: destinationArn, ...(filterArns && { FilterArns: filterArns }) },
      EventStartTime: start,
      EventEndTime: end,
      ReplayStartTime: Date.now() / 1000,
    };
    this.#replays.push(replay);
    this.#save();
    const events = ref.archive
      .events()
      .filter((event) => seconds(event.time) >= start && seconds(event.time) < end)
      .sort((a, b) => seconds(a.time) - seconds(b.time));
    setImmediate(() => this.#run(replay, this.busNameOfArn(destinationArn), events));
    return { ReplayArn: replay.ReplayArn, State: replay.State, ReplayStartTime: replay.ReplayStartTime };
  }

  describeReplay(input: Input) {
    return this.#replay(input);
  }

  listReplays(input: Input) {
    const prefix = text(input, 'NamePrefix', { max: 64 }) ?? '';
    const state = text(input, 'State');
    const source = text(input, 'EventSourceArn', { max: 1600 });
    const replays = this.#replays
      .filter((replay) => replay.ReplayName.startsWith(prefix) && (state === undefined || replay.State === state) && (source === undefined || replay.EventSourceArn === source))
      .map(({ ReplayArn: _arn, Description: _description, Destination: _destination, ...replay }) => replay);
    const { items, NextToken } = page(replays, input);
    return { Replays: items, NextToken };
  }

  cancelReplay(input: Input) {
    const replay = this.#replay(input);
    if (replay.State !== 'STARTING' && replay.State !== 'RUNNING') {
      throw new EventBridgeError('ValidationException', `Replay ${replay.ReplayName} is ${replay.State} and can't be cancelled.`);
    }
    replay.State = 'CANCELLING';
    this.#save();
    return { ReplayArn: replay.ReplayArn, State: replay.State };
  }

  /** The ARN a replay action authorizes against: the replay, or for StartReplay the archive it reads. */
  resourceOf(action: string, input: Input): string | undefined {
    if (action === 'StartReplay') return typeof input.EventSourceArn === 'string' ? input.EventSourceArn : undefined;
    if (action === 'DescribeArchive') return this.archives.find(({ archive }) => archive.spec.name === input.ArchiveName)?.arn;
    if (action === 'DescribeReplay' || action === 'CancelReplay') return typeof input.ReplayName === 'string' ? this.arnOf(input.ReplayName) : undefined;
    return undefined;
  }

  #run(replay: Replay, busName: string, events: EventBridgeEvent[], from = 0): void {
    if (replay.State === 'CANCELLING') return this.#finish(replay, 'CANCELLED');
    replay.State = 'RUNNING';
    for (const event of events.slice(from, from + eventsPerTurn)) {
      this.route(busName, { ...event, 'replay-name': replay.ReplayName }, replay.Destination.FilterArns);
      replay.EventLastReplayedTime = seconds(event.time);
    }
    if (from + eventsPerTurn < events.length) {
      this.#save();
      setImmediate(() => this.#run(replay, busName, events, from + eventsPerTurn));
      return;
    }
    this.#finish(replay, 'COMPLETED');
  }

  #finish(replay: Replay, state: 'COMPLETED' | 'CANCELLED'): void {
    Object.assign(replay, { State: state, ReplayEndTime: Date.now() / 1000 });
    this.#save();
  }

  #described({ archive, arn, busArn }: ArchiveRef) {
    const events = archive.events();
    return {
      ArchiveArn: arn,
      ArchiveName: archive.spec.name,
      EventSourceArn: busArn,
      EventPattern: archive.spec.eventPattern,
      State: 'ENABLED',
      RetentionDays: archive.spec.retentionDays ?? 0,
      SizeBytes: events.reduce((sum, event) => sum + Buffer.byteLength(JSON.stringify(event)), 0),
      EventCount: events.length,
      CreationTime: archive.creationTime(),
    };
  }

  #archive(key: string, by: 'name' | 'arn'): ArchiveRef {
    const ref = this.archives.find((candidate) => (by === 'name' ? candidate.archive.spec.name : candidate.arn) === key);
    if (!ref) throw new EventBridgeError('ResourceNotFoundException', `Archive ${key} does not exist.`);
    return ref;
  }

  #replay(input: Input): Replay {
    const name = requiredText(input, 'ReplayName', { max: 64, pattern: namePattern });
    const replay = this.#replays.find((candidate) => candidate.ReplayName === name);
    if (!replay) throw new EventBridgeError('ResourceNotFoundException', `Replay ${name} does not exist.`);
    return replay;
  }

  #save(): void {
    writeJson(this.#file, this.#replays);
  }
}
