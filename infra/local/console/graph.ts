import type { HistoryEvent } from '@aws-sdk/client-sfn';

/** The parts of an ASL definition the graph draws; Parallel and Map branches show as one node. */
interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: readonly { Next: string }[];
  Catch?: readonly { ErrorEquals: readonly string[]; Next: string }[];
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
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

  for (const event of events) {
    const type = event.type ?? '';
    const enteredName = event.stateEnteredEventDetails?.name;
    if (enteredName !== undefined) {
      if (open !== undefined && unresolvedFailures > 0) marks.set(open, 'caught');
      entered.push(enteredName);
      if (!marks.has(enteredName)) marks.set(enteredName, 'visited');
      open = enteredName;
      unresolvedFailures = 0;
    } else if (event.stateExitedEventDetails) {
      if (unresolvedFailures === 0) open = undefined;
    } else if (failureEvents.has(type) && open !== undefined) {
      unresolvedFailures += 1;
    } else if (successEvents.has(type) && open !== undefined) {
      if (unresolvedFailures > 0) retries.set(open, (retries.get(open) ?? 0) + unresolvedFailures);
      unresolvedFailures = 0;
    } else if (executionEndEvents.has(type)) {
      const last = entered.at(-1);
      if (last !== undefined) marks.set(last, 'failed');
      open = undefined;
    } else if (type === 'ExecutionRedriven') {
      for (const [name, mark] of marks) if (mark === 'failed') marks.set(name, 'visited');
    }
  }
  if (status === 'RUNNING' && open !== undefined) marks.set(open, 'current');
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

/**
 * A Mermaid flowchart of the definition with the execution's path marked by class and its edges drawn
 * bold. Catch-all edges are drawn only when taken: every task of the order workflow has one to the same
 * state, and drawing them all hides the shape of the workflow.
 */
export function toMermaid(definition: AslDefinition, path: ExecutionPath): string {
  const names = Object.keys(definition.States);
  const ids = new Map(names.map((name, index) => [name, `s${index}`]));
  const idOf = (name: string): string => ids.get(name) ?? 'unknown';
  const taken = new Set(path.entered.slice(1).map((name, index) => `${path.entered[index]}\u0000${name}`));
  const edges: { line: string; taken: boolean }[] = [];
  const edge = (from: string, to: string, arrow: string): void => {
    edges.push({ line: `  ${idOf(from)} ${arrow} ${idOf(to)}`, taken: taken.has(`${from}\u0000${to}`) });
  };
  const nodes = ['  entry((" "))', '  finish((" "))'];
  edges.push({ line: `  entry --> ${idOf(definition.StartAt)}`, taken: path.entered.length > 0 });
  for (const [name, state] of Object.entries(definition.States)) {
    nodes.push(`  ${node(idOf(name), name, state.Type)}`);
    if (state.Next) edge(name, state.Next, '-->');
    for (const choice of state.Choices ?? []) edge(name, choice.Next, '-->');
    if (state.Default) edge(name, state.Default, `-- ${label('Default')} -->`);
    for (const catcher of state.Catch ?? []) {
      const tookIt = taken.has(`${name}\u0000${catcher.Next}`);
      if (catcher.ErrorEquals.includes(catchAll) && !tookIt) continue;
      edge(name, catcher.Next, `-. ${label(catcher.ErrorEquals.join(', '))} .->`);
    }
    if (state.End || state.Type === 'Succeed' || state.Type === 'Fail') {
      edges.push({ line: `  ${idOf(name)} --> finish`, taken: path.entered.at(-1) === name && path.marks.get(name) !== 'current' });
    }
  }
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
    const marked = names.filter((name) => path.marks.get(name) === mark).map(idOf);
    if (marked.length > 0) lines.push(`  class ${marked.join(',')} ${mark}`);
  }
  const takenIndexes = edges.flatMap((candidate, index) => (candidate.taken ? [index] : []));
  if (takenIndexes.length > 0) lines.push(`  linkStyle ${takenIndexes.join(',')} stroke:#1e7b45,stroke-width:3px`);
  return `${lines.join('\n')}\n`;
}

/** The same path in words, for people who cannot see the drawing. */
export function pathInWords(path: ExecutionPath): string {
  if (path.entered.length === 0) return 'No state entered yet.';
  const marked = (mark: StateMark): string[] => [...path.marks].filter(([, m]) => m === mark).map(([name]) => name);
  const parts = [`Path: ${path.entered.join(' → ')}.`];
  const current = marked('current');
  const caught = marked('caught');
  const failed = marked('failed');
  if (current.length > 0) parts.push(`Now in: ${current.join(', ')}.`);
  if (caught.length > 0) parts.push(`Error caught in: ${caught.join(', ')}.`);
  if (failed.length > 0) parts.push(`Ended with failure in: ${failed.join(', ')}.`);
  return parts.join(' ');
}
