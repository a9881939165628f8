/**
 * Benchmark of the local Step Functions engine (`npm run bench:engine`). Prints one table:
 * - transitions per second for 1,000 concurrent executions of a 50-state Pass/Choice workflow, on the durable
 *   LevelDB store, side by side with aws-local-stepfunctions (in memory, no persistence) on the same definition;
 * - the same for the workflow written in JSONata (Output and Condition expressions), with no peer figure;
 * - resident memory with 10,000 executions waiting on task tokens;
 * - time to resume those 10,000 after the process is killed, and to finish them all with SendTaskSuccess.
 * Each memory and restart figure runs in a fresh child process so no phase inherits another's heap.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { repositoryRoot } from '../infra/function-defaults';
import { openEngine, type Engine } from '../infra/local/engine';

const EXECUTIONS = 1_000;
const STATES = 50;
const WAITING = 10_000;
const ROUNDS = 5;
const ROLE = 'arn:aws:iam::000000000000:role/bench';
const peerPackage = 'aws-local-stepfunctions@3.0.0';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** 25 Pass states, each followed by a Choice that checks what the Pass wrote: 50 transitions per execution. */
function passChoiceDefinition() {
  const states: Record<string, unknown> = {};
  for (let i = 0; i < STATES / 2; i++) {
    const last = i === STATES / 2 - 1;
    // Counting from 1: aws-local-stepfunctions ignores a Pass Result of 0.
    states[`Step ${i}`] = { Type: 'Pass', Result: i + 1, ResultPath: '$.step', Next: `Check ${i}` };
    states[`Check ${i}`] = {
      Type: 'Choice',
      Choices: [{ Variable: '$.step', NumericEquals: i + 1, Next: last ? 'Done' : `Step ${i + 1}` }],
      Default: 'Lost',
    };
  }
  states.Done = { Type: 'Succeed' };
  states.Lost = { Type: 'Fail', Error: 'Lost' };
  return { StartAt: 'Step 0', States: states };
}

/** The same workflow in JSONata: each Pass merges its step into the input, each Choice tests it with a Condition. */
function jsonataPassChoiceDefinition() {
  const states: Record<string, unknown> = {};
  for (let i = 0; i < STATES / 2; i++) {
    const last = i === STATES / 2 - 1;
    states[`Step ${i}`] = { Type: 'Pass', Output: `{% $merge([$states.input, {'step': ${i + 1}}]) %}`, Next: `Check ${i}` };
    states[`Check ${i}`] = { Type: 'Choice', Choices: [{ Condition: `{% $states.input.step = ${i + 1} %}`, Next: last ? 'Done' : `Step ${i + 1}` }], Default: 'Lost' };
  }
  states.Done = { Type: 'Succeed' };
  states.Lost = { Type: 'Fail', Error: 'Lost' };
  return { QueryLanguage: 'JSONata', StartAt: 'Step 0', States: states };
}

const waitingDefinition = {
  StartAt: 'Wait For Cake Maker',
  States: {
    'Wait For Cake Maker': {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: 'hand-over', Payload: { 'orderId.$': '$.orderId', 'taskToken.$': '$$.Task.Token' } },
      End: true,
    },
  },
};

// Run with --expose-gc so memory is measured after a full collection.
const collectGarbage = () => globalThis.gc?.();

async function startAll(engine: Engine, stateMachineArn: string, count: number, input: (i: number) => unknown, prefix = 'order'): Promise<void> {
  const batch = 1_000;
  for (let from = 0; from < count; from += batch) {
    const starts: Promise<unknown>[] = [];
    for (let i = from; i < Math.min(count, from + batch); i++) {
      starts.push(engine.startExecution({ stateMachineArn, name: `${prefix}-${i}`, input: JSON.stringify(input(i)) }));
    }
    await Promise.all(starts);
  }
}

type Round = (executions: number) => Promise<number>;

/** Our engine on a fresh LevelDB: each round starts `executions` and waits until all have finished. */
async function ourEngine(dataDir: string, definition: object = passChoiceDefinition()): Promise<{ round: Round; close: () => Promise<void> }> {
  const engine = await openEngine({ dataDir, lambdas: {} });
  const { stateMachineArn = '' } = await engine.createStateMachine({ name: 'pass-choice', definition: JSON.stringify(definition), roleArn: ROLE });
  let rounds = 0;
  const round: Round = async (executions) => {
    const prefix = `round-${++rounds}`;
    const started = performance.now();
    await startAll(engine, stateMachineArn, executions, (i) => ({ orderId: i }), prefix);
    await engine.whenIdle();
    const seconds = (performance.now() - started) / 1000;
    const { executions: running } = await engine.listExecutions({ stateMachineArn, statusFilter: 'RUNNING' });
    if (running?.length) throw new Error(`${running.length} executions of ${prefix} did not finish`);
    return (executions * STATES) / seconds;
  };
  return { round, close: () => engine.close() };
}

type PeerModule = { StateMachine: new (definition: never) => { run(input: unknown): { result: Promise<unknown> } } };

/**
 * The peer, installed on first use beside the project rather than as one of its dependencies: it declares Node 22
 * (it runs on 20 with the shim below), so as a dependency it would make every `npm install` warn about engines.
 */
function loadPeer(): PeerModule {
  const peerDir = join(repositoryRoot, 'node_modules', '.cache', 'bench-peer');
  const load = createRequire(join(peerDir, 'package.json'));
  try {
    return load('aws-local-stepfunctions') as PeerModule;
  } catch {
    console.log(`Installing the peer, ${peerPackage}, into ${relative(repositoryRoot, peerDir)} ...`);
    mkdirSync(peerDir, { recursive: true });
    writeFileSync(join(peerDir, 'package.json'), JSON.stringify({ private: true }));
    execFileSync('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', peerPackage], { cwd: peerDir, stdio: 'inherit' });
    return load('aws-local-stepfunctions') as PeerModule;
  }
}

async function peerEngine(): Promise<{ round: Round }> {
  // aws-local-stepfunctions 3 calls Promise.withResolvers, which Node 20 lacks.
  const promise = Promise as unknown as { withResolvers?: () => unknown };
  promise.withResolvers ??= () => {
    let resolve!: (value: unknown) => void;
    let reject!: (reason: unknown) => void;
    const created = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise: created, resolve, reject };
  };
  const { StateMachine } = loadPeer();
  const machine = new StateMachine(passChoiceDefinition() as never);
  const round: Round = async (executions) => {
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: executions }, (_, i) => machine.run({ orderId: i }).result));
    const seconds = (performance.now() - started) / 1000;
    if (results.length !== executions) throw new Error('aws-local-stepfunctions lost executions');
    return (executions * STATES) / seconds;
  };
  return { round };
}

/** Child phase: start 10,000 executions that wait on task tokens, report memory, then wait to be killed. */
async function waitingPhase(dataDir: string, tokenFile: string): Promise<void> {
  const tokens: string[] = [];
  const engine = await openEngine({
    dataDir,
    lambdas: { 'hand-over': (payload) => void tokens.push((payload as { taskToken: string }).taskToken) },
  });
  const { stateMachineArn = '' } = await engine.createStateMachine({ name: 'waiting', definition: JSON.stringify(waitingDefinition), roleArn: ROLE });
  collectGarbage();
  const before = process.memoryUsage().rss;
  await startAll(engine, stateMachineArn, WAITING, (i) => ({ orderId: `cake-${i}` }));
  await engine.whenIdle();
  if (tokens.length !== WAITING) throw new Error(`${tokens.length} of ${WAITING} executions reached their task token`);
  writeFileSync(tokenFile, tokens.join('\n'));
  collectGarbage();
  const rss = process.memoryUsage().rss;
  process.stdout.write(`${JSON.stringify({ rssMb: rss / 2 ** 20, baselineMb: before / 2 ** 20, running: engine.runningExecutions })}\n`);
  await new Promise(() => undefined);
}

/** Child phase: reopen the killed engine's store, time the resume, then finish every execution by its token. */
async function resumePhase(dataDir: string, tokenFile: string): Promise<void> {
  const started = performance.now();
  const engine = await openEngine({ dataDir, lambdas: {} });
  const resumeMs = performance.now() - started;
  const running = engine.runningExecutions;
  const tokens = readFileSync(tokenFile, 'utf8').split('\n');
  const finishing = performance.now();
  for (let from = 0; from < tokens.length; from += 1_000) {
    await Promise.all(tokens.slice(from, from + 1_000).map((taskToken) => engine.sendTaskSuccess({ taskToken, output: '{"accepted":true}' })));
  }
  await engine.whenIdle();
  const finishMs = performance.now() - finishing;
  const { executions } = await engine.listExecutions({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:waiting', statusFilter: 'SUCCEEDED', maxResults: 1000 });
  await engine.close();
  process.stdout.write(`${JSON.stringify({ resumeMs, running, finishMs, firstPageSucceeded: executions?.length })}\n`);
}

function runChild(args: string[], untilLine: boolean): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', __filename, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line && output.includes('\n')) {
        // The waiting phase is killed the hard way: the resume must cope with whatever was on disk.
        if (untilLine) child.kill('SIGKILL');
        resolve(JSON.parse(line) as Record<string, number>);
      }
    });
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`bench child ${args[0]} exited with ${code ?? signal}`));
    });
  });
}

async function main(): Promise<void> {
  const [phase, dataDir, tokenFile] = process.argv.slice(2);
  if (phase === 'waiting') return waitingPhase(dataDir, tokenFile);
  if (phase === 'resume') return resumePhase(dataDir, tokenFile);

  const node = process.version;
  const cpu = execFileSync('nproc').toString().trim();
  // Both warm up first, then take turns, and the median of the rounds counts: the machine may be shared.
  const throughputDir = mkdtempSync(join(tmpdir(), 'bench-engine-'));
  const ourSide = await ourEngine(throughputDir);
  const peerSide = await peerEngine();
  await peerSide.round(EXECUTIONS);
  await ourSide.round(EXECUTIONS);
  const peerRounds: number[] = [];
  const ourRounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    peerRounds.push(await peerSide.round(EXECUTIONS));
    ourRounds.push(await ourSide.round(EXECUTIONS));
  }
  await ourSide.close();
  rmSync(throughputDir, { recursive: true, force: true });
  const peer = median(peerRounds);
  const ours = median(ourRounds);
  // The JSONata workload has no peer figure: aws-local-stepfunctions 3.0.0 runs JSONPath only.
  const jsonataDir = mkdtempSync(join(tmpdir(), 'bench-engine-jsonata-'));
  const jsonataSide = await ourEngine(jsonataDir, jsonataPassChoiceDefinition());
  await jsonataSide.round(EXECUTIONS);
  const jsonataRounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) jsonataRounds.push(await jsonataSide.round(EXECUTIONS));
  await jsonataSide.close();
  rmSync(jsonataDir, { recursive: true, force: true });
  const jsonata = median(jsonataRounds);
  const dir = mkdtempSync(join(tmpdir(), 'bench-engine-waiting-'));
  const tokenFile2 = join(dir, 'tokens.txt');
  const dataDir2 = join(dir, 'db');
  try {
    const waiting = await runChild(['waiting', dataDir2, tokenFile2], true);
    const resumed = await runChild(['resume', dataDir2, tokenFile2], false);
    const rows: [string, string, string, string][] = [
      ['Transitions/s, 1,000 executions x 50 Pass/Choice states', `${ours.toFixed(0)} (LevelDB, durable; median of ${ROUNDS})`, `${peer.toFixed(0)} (aws-local-stepfunctions 3.0.0, in memory)`, 'at least the peer'],
      ['Transitions/s, the same workflow in JSONata', `${jsonata.toFixed(0)} (LevelDB, durable; median of ${ROUNDS})`, '-', '-'],
      ['Resident memory, 10,000 executions waiting on tokens', `${waiting.rssMb.toFixed(0)} MB (engine open, none started: ${waiting.baselineMb.toFixed(0)} MB)`, '-', 'under 300 MB'],
      ['Resume 10,000 waiting executions after SIGKILL', `${(resumed.resumeMs / 1000).toFixed(2)} s (${resumed.running} running)`, '-', 'under 5 s'],
      ['Finish those 10,000 with SendTaskSuccess', `${(resumed.finishMs / 1000).toFixed(2)} s`, '-', '-'],
    ];
    const header: [string, string, string, string] = ['Measure', 'Local engine', 'Baseline', 'Target'];
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
    const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
    console.log(`Node ${node}, ${cpu} CPUs`);
    console.log([line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
