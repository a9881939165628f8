import type { HistoryEvent } from '@aws-sdk/client-sfn';

/** The parts of an ASL definition the graph draws, Parallel branches and Map item processors included. */
interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: readonly { Next: string }[];
  Catch?: readonly { ErrorEquals: readonly string[]; Next: string }[];
  Branches?: readonly AslDefinition[];
  ItemProcessor?: AslDefinition;
  /** The older name of ItemProcessor, which AWS still accepts. */
  Iterator?: AslDefinition;
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
}

/** The state machines nested in a Parallel (one per branch) or a Map (its item processor). */
function innerMachines(state: AslState): readonly AslDefinition[] {
  if (state.Type === 'Parallel') return state.Branches ?? [];
  if (state.Type === 'Map') {
    const processor = state.ItemProcessor ?? state.Iterator;
    return processor ? [processor] : [];
  }
  return [];
}

export type StateMark = 'visited' | 'current' | 'caught' | 'failed';

export interface ExecutionPath {
  /** State names in the order they were entered, repeats included. */
  entered: string[];
  marks: Map<string, StateMark>;
  /** Failed attempts per state that a Retry absorbed. */
  retries: Map<string, number>;
}

const failureEvents = new Set([
  'TaskFailed',
  'TaskTimedOut',
  'TaskStartFailed',
  'TaskSubmitFailed',
  'LambdaFunctionFailed',
  'LambdaFunctionTimedOut',
  'LambdaFunctionStartFailed',
  'LambdaFunctionScheduleFailed',
]);
const successEvents = new Set(['TaskSucceeded', 'LambdaFunctionSucceeded']);
const executionEndEvents = new Set(['ExecutionFailed', 'ExecutionTimedOut', 'ExecutionAborted']);
/**
 * A state entered right after one of these is the first of a Parallel branch or Map iteration. The Entered events
 * are there for histories without Started events: nothing but a branch's first state can follow a Parallel's entry.
 */
const branchStartEvents = new Set(['ParallelStateEntered', 'ParallelStateStarted', 'MapStateEntered', 'MapStateStarted', 'MapIterationStarted']);
const branchesEndEvents = new Set(['ParallelStateSucceeded', 'ParallelStateFailed', 'ParallelStateAborted', 'MapStateSucceeded', 'MapStateFailed', 'MapStateAborted']);
const iterationEndEvents = new Set(['MapIterationSucceeded', 'MapIterationFailed', 'MapIterationAborted']);

/** The top level of an execution, one Parallel branch or one Map iteration: states that run one after another. */
interface Thread {
  parent?: Thread;
  /** The branches or iterations of the Parallel or Map state this thread is in, while they run. */
  children: Set<Thread>;
  /** The state entered and not yet left. */
  open?: string;
  unresolvedFailures: number;
  /** States that failed in branches that have ended: caught if this thread moves on, failed if the execution ends. */
  failedInside: string[];
}

/** The threads an execution's events belong to, each event following its `previousEventId` as on AWS. */
class Threads {
  readonly live = new Set<Thread>();
  private top = this.start();
  private readonly byEvent = new Map<number, Thread>();
  private readonly branchStarts = new Set<number>();
  private lastId = 0;

  /** The thread an event belongs to; `entering` is the state it enters, if it enters one. */
  place(event: HistoryEvent, entering: string | undefined): Thread {
    const id = event.id ?? this.lastId + 1;
    // Histories without previousEventId read as one thread after another, as they were written.
    const previous = event.previousEventId ?? this.lastId;
    const before = this.byEvent.get(previous);
    const found = before && this.live.has(before) ? before : this.top;
    const thread = entering !== undefined && this.branchStarts.has(previous) ? this.start(found) : found;
    if (branchStartEvents.has(event.type ?? '')) this.branchStarts.add(id);
    this.byEvent.set(id, thread);
    this.lastId = id;
    return thread;
  }

  /** The thread that has the named state open: an exit event belongs to it wherever its previous event was. */
  exitedFrom(event: HistoryEvent, name: string, placed: Thread): Thread {
    const owner = placed.open === name ? placed : ([...this.live].find((thread) => thread.open === name) ?? placed);
    if (event.id !== undefined) this.byEvent.set(event.id, owner);
    return owner;
  }

  /** Ends the branches and iterations running under the thread. */
  endBranchesOf(thread: Thread): void {
    for (const child of thread.children) this.end(child);
  }

  /** Ends a branch or iteration, leaving its failures for the thread it ran under to resolve. */
  end(thread: Thread): void {
    this.endBranchesOf(thread);
    this.live.delete(thread);
    const parent = thread.parent;
    if (!parent) return;
    parent.children.delete(thread);
    if (thread.open !== undefined && thread.unresolvedFailures > 0) parent.failedInside.push(thread.open);
    parent.failedInside.push(...thread.failedInside);
  }

  /** Ends every thread; a redrive's events then start again at the top level. */
  endAll(): void {
    this.live.clear();
    this.top = this.start();
  }

  private start(parent?: Thread): Thread {
    const thread: Thread = { parent, children: new Set(), unresolvedFailures: 0, failedInside: [] };
    parent?.children.add(thread);
    this.live.add(thread);
    return thread;
  }
}

/**
 * Reads the path an execution took from its history alone, as the AWS console does: a state whose task
 * failed and was then left for another state was caught; one that failed and later succeeded was retried;
 * the states the execution ended in on failure, timeout or stop are failed; the open states of a running
 * execution are current, one for each Parallel branch and Map iteration running, and the Parallel or Map itself.
 */
export function readPath(events: readonly HistoryEvent[], status: string | undefined): ExecutionPath {
  const entered: string[] = [];
  const marks = new Map<string, StateMark>();
  const retries = new Map<string, number>();
  const threads = new Threads();

  for (const event of events) {
    const type = event.type ?? '';
    const enteredName = event.stateEnteredEventDetails?.name;
    const thread = threads.place(event, enteredName);
    if (enteredName !== undefined) {
      threads.endBranchesOf(thread);
      if (thread.open !== undefined && thread.unresolvedFailures > 0) marks.set(thread.open, 'caught');
      for (const name of thread.failedInside) marks.set(name, 'caught');
      thread.failedInside = [];
      entered.push(enteredName);
      if (!marks.has(enteredName)) marks.set(enteredName, 'visited');
      thread.open = enteredName;
      thread.unresolvedFailures = 0;
    } else if (event.stateExitedEventDetails) {
      const owner = threads.exitedFrom(event, event.stateExitedEventDetails.name ?? '', thread);
      threads.endBranchesOf(owner);
      if (owner.unresolvedFailures === 0) owner.open = undefined;
    } else if (failureEvents.has(type) && thread.open !== undefined) {
      thread.unresolvedFailures += 1;
    } else if (successEvents.has(type) && thread.open !== undefined) {
      if (thread.unresolvedFailures > 0) retries.set(thread.open, (retries.get(thread.open) ?? 0) + thread.unresolvedFailures);
      thread.unresolvedFailures = 0;
    } else if (branchesEndEvents.has(type)) {
      threads.endBranchesOf(thread);
    } else if (iterationEndEvents.has(type) && thread.parent) {
      threads.end(thread);
    } else if (executionEndEvents.has(type)) {
      const ended = [...threads.live].flatMap(({ open, failedInside }) => [...(open === undefined ? [] : [open]), ...failedInside]);
      const last = entered.at(-1);
      for (const name of ended.length > 0 ? ended : last === undefined ? [] : [last]) marks.set(name, 'failed');
      threads.endAll();
    } else if (type === 'ExecutionRedriven') {
      for (const [name, mark] of marks) if (mark === 'failed') marks.set(name, 'visited');
    }
  }
  if (status === 'RUNNING') {
    for (const { open } of threads.live) if (open !== undefined) marks.set(open, 'current');
  }
  return { entered, marks, retries };
}

/** Mermaid reads `#<code>;` as a character, so labels cannot end a quoted string or inject markup. */
function label(text: string): string {
  return `"${text.replace(/[^A-Za-z0-9 .,_:()-]/g, (character) => `#${character.codePointAt(0)};`)}"`;
}

function node(id: string, name: string, type: string): string {
  switch (type) {
    case 'Choice':
      return `${id}{${label(name)}}`;
    case 'Succeed':
    case 'Fail':
      return `${id}([${label(name)}])`;
    case 'Wait':
      return `${id}[/${label(name)}/]`;
    default:
      return `${id}[${label(name)}]`;
  }
}

const catchAll = 'States.ALL';

/** Where each state is drawn: its Mermaid id, and the scope (top level or one branch) whose arrows it shares. */
interface Placement {
  id: string;
  scope: string;
}

const topScope = 's';

/**
 * Ids for every state, nested ones included. AWS requires state names to be unique across the whole machine,
 * branches and item processors too, so the history's state names say which node each event belongs to.
 */
function place(definition: AslDefinition, scope: string, placements: Map<string, Placement>): void {
  Object.entries(definition.States).forEach(([name, state], index) => {
    const id = `${scope}${index}`;
    placements.set(name, { id, scope });
    innerMachines(state).forEach((inner, branch) => place(inner, `${id}b${branch}s`, placements));
  });
}

/**
 * A Mermaid flowchart of the definition with the execution's path marked by class and its edges drawn
 * bold. A Parallel or Map is a box holding its branches or item processor, drawn and marked the same way.
 * Catch-all edges are drawn only when taken: every task of the order workflow has one to the same
 * state, and drawing them all hides the shape of the workflow.
 */
export function toMermaid(definition: AslDefinition, path: ExecutionPath): string {
  const placements = new Map<string, Placement>();
  place(definition, topScope, placements);
  const idOf = (name: string): string => placements.get(name)?.id ?? 'unknown';
  // Branches run side by side and their events interleave, so an arrow is taken when one state follows another within its own scope.
  const taken = new Set<string>();
  const scopes = new Set([...placements.values()].map(({ scope }) => scope));
  const sequences = new Map([...scopes].map((scope) => [scope, path.entered.filter((name) => placements.get(name)?.scope === scope)]));
  for (const sequence of sequences.values()) {
    sequence.slice(1).forEach((name, index) => taken.add(`${sequence[index]}\u0000${name}`));
  }
  const topLevel = sequences.get(topScope) ?? [];
  const edges: { line: string; taken: boolean }[] = [];
  const edge = (from: string, to: string, arrow: string): void => {
    edges.push({ line: `  ${idOf(from)} ${arrow} ${idOf(to)}`, taken: taken.has(`${from}\u0000${to}`) });
  };
  const nodes = ['  entry((" "))', '  finish((" "))'];
  edges.push({ line: `  entry --> ${idOf(definition.StartAt)}`, taken: path.entered.length > 0 });

  const draw = (machine: AslDefinition, indent: string, topLevelMachine: boolean): void => {
    for (const [name, state] of Object.entries(machine.States)) {
      const inner = innerMachines(state);
      if (inner.length > 0) {
        nodes.push(`${indent}subgraph ${idOf(name)} [${label(name)}]`);
        inner.forEach((branch, index) => {
          const title = state.Type === 'Map' ? 'Each item' : `Branch ${index + 1}`;
          nodes.push(`${indent}  subgraph ${idOf(name)}b${index} [${label(title)}]`);
          draw(branch, `${indent}    `, false);
          nodes.push(`${indent}  end`);
        });
        nodes.push(`${indent}end`);
      } else {
        nodes.push(`${indent}${node(idOf(name), name, state.Type)}`);
      }
      if (state.Next) edge(name, state.Next, '-->');
      for (const choice of state.Choices ?? []) edge(name, choice.Next, '-->');
      if (state.Default) edge(name, state.Default, `-- ${label('Default')} -->`);
      for (const catcher of state.Catch ?? []) {
        const tookIt = taken.has(`${name}\u0000${catcher.Next}`);
        if (catcher.ErrorEquals.includes(catchAll) && !tookIt) continue;
        edge(name, catcher.Next, `-. ${label(catcher.ErrorEquals.join(', '))} .->`);
      }
      // A branch's last state ends the branch, not the execution: the box it sits in leads on.
      if (topLevelMachine && (state.End || state.Type === 'Succeed' || state.Type === 'Fail')) {
        edges.push({ line: `  ${idOf(name)} --> finish`, taken: topLevel.at(-1) === name && path.marks.get(name) !== 'current' });
      }
    }
  };
  draw(definition, '  ', true);

  const lines = [
    'flowchart TD',
    '  accTitle: Order workflow',
    '  accDescr: Each state of the workflow; the path this execution took is also written out below the drawing',
    ...nodes,
    ...edges.map(({ line }) => line),
    '  classDef visited fill:#d9f2e3,stroke:#1e7b45,color:#0b3d20',
    '  classDef current fill:#dbe9ff,stroke:#1d4ed8,stroke-width:3px,color:#0b1f5c',
    '  classDef caught fill:#fff1cc,stroke:#a15c00,color:#4a2a00',
    '  classDef failed fill:#fde2e1,stroke:#b42318,stroke-width:3px,color:#5c0b05',
  ];
  for (const mark of ['visited', 'current', 'caught', 'failed'] as const) {
    const marked = [...placements.keys()].filter((name) => path.marks.get(name) === mark).map(idOf);
    if (marked.length > 0) lines.push(`  class ${marked.join(',')} ${mark}`);
  }
  const takenIndexes = edges.flatMap((candidate, index) => (candidate.taken ? [index] : []));
  if (takenIndexes.length > 0) lines.push(`  linkStyle ${takenIndexes.join(',')} stroke:#1e7b45,stroke-width:3px`);
  return `${lines.join('\n')}\n`;
}

/** The states entered inside each Parallel branch or Map item processor, once each, in the order first entered. */
function insideWords(definition: AslDefinition, path: ExecutionPath): string[] {
  const parts: string[] = [];
  const visit = (machine: AslDefinition): void => {
    for (const [name, state] of Object.entries(machine.States)) {
      innerMachines(state).forEach((inner, index) => {
        const names = new Set(Object.keys(inner.States));
        const taken = [...new Set(path.entered.filter((candidate) => names.has(candidate)))];
        if (taken.length > 0) {
          const where = state.Type === 'Map' ? `${name}, each item` : `${name}, branch ${index + 1}`;
          parts.push(`Inside ${where}: ${taken.join(' → ')}.`);
        }
        visit(inner);
      });
    }
  };
  visit(definition);
  return parts;
}

/**
 * The same path in words, for people who cannot see the drawing. Given the definition, the top-level path
 * comes first and the states inside each Parallel or Map follow it, as the drawing nests them.
 */
export function pathInWords(path: ExecutionPath, definition?: AslDefinition): string {
  if (path.entered.length === 0) return 'No state entered yet.';
  const marked = (mark: StateMark): string[] => [...path.marks].filter(([, m]) => m === mark).map(([name]) => name);
  const topLevel = definition ? path.entered.filter((name) => Object.hasOwn(definition.States, name)) : path.entered;
  const parts = [`Path: ${topLevel.join(' → ')}.`, ...(definition ? insideWords(definition, path) : [])];
  const current = marked('current');
  const caught = marked('caught');
  const failed = marked('failed');
  if (current.length > 0) parts.push(`Now in: ${current.join(', ')}.`);
  if (caught.length > 0) parts.push(`Error caught in: ${caught.join(', ')}.`);
  if (failed.length > 0) parts.push(`Ended with failure in: ${failed.join(', ')}.`);
  return parts.join(' ');
}
