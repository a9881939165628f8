import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { pathInWords, readPath, toMermaid, type AslDefinition } from '../../../infra/local/console/graph';
import { callbackTask, engineHarness, tokenInbox, type Harness } from '../../engine/support/engine-harness';

let nextId = 1;
const at = new Date('2026-01-01T00:00:00Z');
const event = (type: string, details: Partial<HistoryEvent> = {}): HistoryEvent => ({ id: nextId++, type: type as HistoryEvent['type'], timestamp: at, ...details });
const entered = (name: string, type = 'Task') => event(`${type}StateEntered`, { stateEnteredEventDetails: { name, input: '{}' } });
const exited = (name: string, type = 'Task') => event(`${type}StateExited`, { stateExitedEventDetails: { name, output: '{}' } });
const failed = (error: string) => event('TaskFailed', { taskFailedEventDetails: { resource: 'invoke', resourceType: 'lambda', error, cause: 'boom' } });
/** On AWS each event names the one before it in its own branch or iteration, so interleaved branches can be told apart. */
const after = (previous: HistoryEvent, next: HistoryEvent): HistoryEvent => ({ ...next, previousEventId: previous.id });
const succeeded = () => event('TaskSucceeded', { taskSucceededEventDetails: { resource: 'invoke', resourceType: 'lambda', output: '{}' } });

const definition: AslDefinition = {
  StartAt: 'Bake Cake',
  States: {
    'Bake Cake': {
      Type: 'Task',
      Next: 'Deliver Cake',
      Catch: [
        { ErrorEquals: ['OrderCancelled'], Next: 'Cancelled' },
        { ErrorEquals: ['States.ALL'], Next: 'Broken' },
      ],
    },
    'Deliver Cake': { Type: 'Task', End: true, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Broken' }] },
    Cancelled: { Type: 'Succeed' },
    Broken: { Type: 'Fail' },
  },
};

describe('reading the path an execution took from its history', () => {
  it('GIVEN a running execution waiting in a task WHEN its path is read THEN earlier states are visited and the open one is current', () => {
    const events = [event('ExecutionStarted'), entered('Bake Cake'), succeeded(), exited('Bake Cake'), entered('Deliver Cake')];

    const path = readPath(events, 'RUNNING');

    expect(Object.fromEntries(path.marks)).toEqual({ 'Bake Cake': 'visited', 'Deliver Cake': 'current' });
  });

  it('GIVEN a task failure that a Catch sent elsewhere WHEN the path is read THEN the task is marked caught', () => {
    const events = [event('ExecutionStarted'), entered('Bake Cake'), failed('OrderCancelled'), entered('Cancelled', 'Succeed'), exited('Cancelled', 'Succeed'), event('ExecutionSucceeded')];

    const path = readPath(events, 'SUCCEEDED');

    expect(path.marks.get('Bake Cake')).toBe('caught');
    expect(path.marks.get('Cancelled')).toBe('visited');
  });

  it('GIVEN a task that failed twice and then succeeded on retry WHEN the path is read THEN it is visited with two retried attempts', () => {
    const events = [entered('Bake Cake'), failed('DependencyUnavailable'), failed('DependencyUnavailable'), succeeded(), exited('Bake Cake')];

    const path = readPath(events, 'RUNNING');

    expect(path.marks.get('Bake Cake')).toBe('visited');
    expect(path.retries.get('Bake Cake')).toBe(2);
  });

  it('GIVEN an execution that ended in a Fail state WHEN the path is read THEN that state is marked failed', () => {
    const events = [entered('Bake Cake'), failed('Boom'), entered('Broken', 'Fail'), event('ExecutionFailed', { executionFailedEventDetails: { error: 'Boom' } })];

    const path = readPath(events, 'FAILED');

    expect(path.marks.get('Broken')).toBe('failed');
    expect(path.marks.get('Bake Cake')).toBe('caught');
  });

  it('GIVEN a stopped execution that was redriven WHEN the path is read THEN the state it stopped in is current again, not failed', () => {
    const events = [entered('Bake Cake'), event('ExecutionAborted'), event('ExecutionRedriven'), entered('Bake Cake')];

    const path = readPath(events, 'RUNNING');

    expect(path.marks.get('Bake Cake')).toBe('current');
    expect(path.entered).toEqual(['Bake Cake', 'Bake Cake']);
  });

  it('GIVEN a path WHEN it is described in words THEN the words name the states in order and where it is now', () => {
    const path = readPath([entered('Bake Cake'), succeeded(), exited('Bake Cake'), entered('Deliver Cake')], 'RUNNING');

    expect(pathInWords(path)).toBe('Path: Bake Cake → Deliver Cake. Now in: Deliver Cake.');
  });
});

describe('drawing the workflow as a Mermaid flowchart', () => {
  it('GIVEN a catch-all that the execution did not take WHEN the graph is drawn THEN its arrow is left out but named catches stay', () => {
    const source = toMermaid(definition, readPath([entered('Bake Cake')], 'RUNNING'));

    expect(source).toContain('s0 -. "OrderCancelled" .-> s2');
    expect(source).not.toContain('"States.ALL"');
  });

  it('GIVEN a catch-all that the execution took WHEN the graph is drawn THEN its arrow is drawn and styled as taken', () => {
    const path = readPath([entered('Bake Cake'), failed('Boom'), entered('Broken', 'Fail'), event('ExecutionFailed')], 'FAILED');

    const lines = toMermaid(definition, path).split('\n');

    const arrow = lines.findIndex((line) => line === '  s0 -. "States.ALL" .-> s3');
    const arrows = lines.filter((line) => / --> | -\. | -- /.test(line));
    expect(arrow).toBeGreaterThan(-1);
    const takenIndex = arrows.indexOf(lines[arrow]);
    expect(lines.find((line) => line.startsWith('  linkStyle'))?.split(' ')[3].split(',')).toContain(String(takenIndex));
    expect(lines).toContain('  class s3 failed');
  });

  it('GIVEN a state name with quotes and markup WHEN the graph is drawn THEN the label carries them as Mermaid character codes', () => {
    const hostile: AslDefinition = { StartAt: 'Say "hi" <script>', States: { 'Say "hi" <script>': { Type: 'Succeed' } } };

    const source = toMermaid(hostile, readPath([], undefined));

    expect(source).toContain('s0(["Say #34;hi#34; #60;script#62;"])');
    expect(source).not.toContain('<script>');
  });
});

describe('drawing the states inside Parallel and Map', () => {
  const nested: AslDefinition = {
    StartAt: 'Prepare Layers',
    States: {
      'Prepare Layers': {
        Type: 'Parallel',
        Next: 'Decorate Each Tier',
        Branches: [
          { StartAt: 'Bake Sponge', States: { 'Bake Sponge': { Type: 'Task', End: true } } },
          { StartAt: 'Whip Cream', States: { 'Whip Cream': { Type: 'Task', Next: 'Chill Cream' }, 'Chill Cream': { Type: 'Task', End: true } } },
        ],
      },
      'Decorate Each Tier': {
        Type: 'Map',
        Next: 'Cake Ready',
        ItemProcessor: { StartAt: 'Pipe Icing', States: { 'Pipe Icing': { Type: 'Task', Next: 'Add Roses' }, 'Add Roses': { Type: 'Task', End: true } } },
      },
      'Cake Ready': { Type: 'Succeed' },
    },
  };
  /** Branches interleave in the history, and a Map enters its item processor once per item. */
  const finished = [
    entered('Prepare Layers', 'Parallel'),
    entered('Bake Sponge'),
    entered('Whip Cream'),
    exited('Bake Sponge'),
    exited('Whip Cream'),
    entered('Chill Cream'),
    exited('Chill Cream'),
    exited('Prepare Layers', 'Parallel'),
    entered('Decorate Each Tier', 'Map'),
    entered('Pipe Icing'),
    exited('Pipe Icing'),
    entered('Add Roses'),
    exited('Add Roses'),
    entered('Pipe Icing'),
    exited('Pipe Icing'),
    entered('Add Roses'),
    exited('Add Roses'),
    exited('Decorate Each Tier', 'Map'),
    entered('Cake Ready', 'Succeed'),
    exited('Cake Ready', 'Succeed'),
    event('ExecutionSucceeded'),
  ];

  it('GIVEN a Parallel and a Map WHEN the graph is drawn THEN each is a box holding its branches or item processor and their states', () => {
    const lines = toMermaid(nested, readPath([], undefined)).split('\n');

    expect(lines).toEqual(
      expect.arrayContaining([
        '  subgraph s0 ["Prepare Layers"]',
        '    subgraph s0b0 ["Branch 1"]',
        '      s0b0s0["Bake Sponge"]',
        '    subgraph s0b1 ["Branch 2"]',
        '      s0b1s1["Chill Cream"]',
        '  subgraph s1 ["Decorate Each Tier"]',
        '    subgraph s1b0 ["Each item"]',
        '      s1b0s1["Add Roses"]',
        '  s0b1s0 --> s0b1s1',
        '  s1b0s0 --> s1b0s1',
        '  s0 --> s1',
      ]),
    );
  });

  it('GIVEN an execution that went through every branch and item WHEN the graph is drawn THEN the inner states are marked visited and their arrows drawn as taken', () => {
    const lines = toMermaid(nested, readPath(finished, 'SUCCEEDED')).split('\n');

    const visited = lines.find((line) => line.endsWith(' visited'))?.split(' ')[3].split(',');
    expect(visited?.sort()).toEqual(['s0', 's0b0s0', 's0b1s0', 's0b1s1', 's1', 's1b0s0', 's1b0s1', 's2'].sort());
    const arrows = lines.filter((line) => / --> | -\. | -- /.test(line));
    const takenArrows = lines.find((line) => line.startsWith('  linkStyle'))?.split(' ')[3].split(',').map((index) => arrows[Number(index)]);
    expect(takenArrows).toEqual(expect.arrayContaining(['  s0b1s0 --> s0b1s1', '  s1b0s0 --> s1b0s1', '  s0 --> s1', '  s1 --> s2', '  s2 --> finish']));
  });

  it('GIVEN an execution inside a Map WHEN its path is read and written out THEN the Map and the inner state are current and the words name the states inside it', () => {
    const running = finished.slice(0, 12);

    const path = readPath(running, 'RUNNING');

    expect(path.marks.get('Decorate Each Tier')).toBe('current');
    expect(path.marks.get('Add Roses')).toBe('current');
    expect(path.marks.get('Prepare Layers')).toBe('visited');
    expect(pathInWords(path, nested)).toBe(
      'Path: Prepare Layers → Decorate Each Tier. Inside Prepare Layers, branch 1: Bake Sponge. Inside Prepare Layers, branch 2: Whip Cream → Chill Cream. Inside Decorate Each Tier, each item: Pipe Icing → Add Roses. Now in: Decorate Each Tier, Add Roses.',
    );
  });
});

describe('marking every state running at once in Parallel branches and Map iterations', () => {
  const currentStates = (events: readonly HistoryEvent[]) => [...readPath(events, 'RUNNING').marks].flatMap(([name, mark]) => (mark === 'current' ? [name] : [])).sort();
  const started = event('ExecutionStarted');
  const parallel = after(started, entered('Prepare Layers', 'Parallel'));
  const branches = after(parallel, event('ParallelStateStarted'));
  const sponge = after(branches, entered('Bake Sponge'));
  const whip = after(branches, entered('Whip Cream'));

  it('GIVEN two Parallel branches each waiting in a task WHEN the path is read THEN both tasks and the Parallel are current', () => {
    const events = [started, parallel, branches, sponge, whip, after(sponge, event('TaskScheduled')), after(whip, event('TaskScheduled'))];

    expect(currentStates(events)).toEqual(['Bake Sponge', 'Prepare Layers', 'Whip Cream']);
  });

  it('GIVEN two Map iterations in different states WHEN the path is read THEN the state of each iteration and the Map are current', () => {
    const map = after(started, entered('Decorate Each Tier', 'Map'));
    const items = after(map, event('MapStateStarted'));
    const first = after(items, event('MapIterationStarted', { mapIterationStartedEventDetails: { name: 'Decorate Each Tier', index: 0 } }));
    const second = after(first, event('MapIterationStarted', { mapIterationStartedEventDetails: { name: 'Decorate Each Tier', index: 1 } }));
    const firstIcing = after(first, entered('Pipe Icing'));
    const secondIcing = after(second, entered('Pipe Icing'));
    const firstIced = after(firstIcing, exited('Pipe Icing'));

    const events = [started, map, items, first, second, firstIcing, secondIcing, firstIced, after(firstIced, entered('Add Roses'))];

    expect(currentStates(events)).toEqual(['Add Roses', 'Decorate Each Tier', 'Pipe Icing']);
  });

  it('GIVEN a task that failed in one branch and a Catch that took the Parallel elsewhere WHEN the path is read THEN that task is caught and the other branch no longer current', () => {
    const failedSponge = after(sponge, failed('OvenBroken'));
    const parallelFailed = after(branches, event('ParallelStateFailed'));
    const events = [started, parallel, branches, sponge, whip, failedSponge, parallelFailed, after(parallelFailed, entered('Cake Ready', 'Succeed'))];

    const path = readPath(events, 'RUNNING');

    expect(path.marks.get('Bake Sponge')).toBe('caught');
    expect(path.marks.get('Whip Cream')).toBe('visited');
    expect(currentStates(events)).toEqual(['Cake Ready']);
  });

  describe('with the history the local engine writes', () => {
    let harness: Harness;
    afterEach(() => harness?.close());

    it('GIVEN an execution whose two Parallel branches wait for callbacks WHEN one branch finishes THEN first both tasks are current, then only the other one', async () => {
      const cakeMaker = tokenInbox();
      harness = await engineHarness({ askCakeMaker: cakeMaker.handler });
      const machine = await harness.machine({
        StartAt: 'Prepare Layers',
        States: {
          'Prepare Layers': {
            Type: 'Parallel',
            End: true,
            Branches: [
              { StartAt: 'Bake Sponge', States: { 'Bake Sponge': callbackTask('askCakeMaker', { End: true }) } },
              { StartAt: 'Weigh Cream', States: { 'Weigh Cream': { Type: 'Pass', Next: 'Whip Cream' }, 'Whip Cream': callbackTask('askCakeMaker', { End: true }) } },
            ],
          },
        },
      });
      const execution = await harness.run(machine);

      const bothWaiting = currentStates(await harness.history(execution));
      await harness.engine.sendTaskSuccess({ taskToken: cakeMaker.tokens[0], output: '{}' });
      await harness.engine.whenIdle();
      const oneWaiting = currentStates(await harness.history(execution));

      expect(bothWaiting).toEqual(['Bake Sponge', 'Prepare Layers', 'Whip Cream']);
      expect(oneWaiting).toEqual(['Prepare Layers', 'Whip Cream']);
    });
  });
});
