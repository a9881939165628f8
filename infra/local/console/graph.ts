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
 * Reads the path an execution took from its history alone, as the AWS console does: a state whose task
 * failed and was then left for another state was caught; one that failed and later succeeded was retried;
 * the state the execution ended in on failure, timeout or stop is failed; the open state of a running
 * execution is current.
 */
export function readPath(events: readonly HistoryEvent[], status: string | undefined): ExecutionPath {
  const entered: string[] = [];
  const marks = new Map<string, StateMark>();
  const retries = new Map<string, number>();
  let open: string | undefined;
  let unresolvedFailures = 0;
  // A Parallel or Map stays open while its inner states run, so it is current (or failed) with them.
  const openContainers = new Set<string>();

  for (const event of events) {
    const type = event.type ?? '';
    const enteredName = event.stateEnteredEventDetails?.name;
    if (enteredName !== undefined) {
      if (type === 'ParallelStateEntered' || type === 'MapStateEntered') openContainers.add(enteredName);
      if (open !== undefined && unresolvedFailures > 0) marks.set(open, 'caught');
      entered.push(enteredName);
      if (!marks.has(enteredName)) marks.set(enteredName, 'visited');
      open = enteredName;
      unresolvedFailures = 0;
    } else if (event.stateExitedEventDetails) {
      openContainers.delete(event.stateExitedEventDetails.name ?? '');
      if (unresolvedFailures === 0) open = undefined;
    } else if (failureEvents.has(type) && open !== undefined) {
      unresolvedFailures += 1;
    } else if (successEvents.has(type) && open !== undefined) {
      if (unresolvedFailures > 0) retries.set(open, (retries.get(open) ?? 0) + unresolvedFailures);
      unresolvedFailures = 0;
    } else if (executionEndEvents.has(type)) {
      const last = entered.at(-1);
      if (last !== undefined) marks.set(last, 'failed');
      for (const container of openContainers) marks.set(container, 'failed');
      openContainers.clear();
      open = undefined;
    } else if (type === 'ExecutionRedriven') {
      for (const [name, mark] of marks) if (mark === 'failed') marks.set(name, 'visited');
    }
  }
  if (status === 'RUNNING') {
    for (const container of openContainers) marks.set(container, 'current');
    if (open !== undefined) marks.set(open, 'current');
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
