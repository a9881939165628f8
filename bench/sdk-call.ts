/**
 * What one DynamoDB call costs the caller's CPU (`npm run bench:sdk-call`): the floor under every handler's work,
 * since an order makes about 40 such calls (34 DynamoDB, 5 SES, 2 Step Functions callbacks) from its sandboxes.
 * A PutItem through `@aws-sdk/client-dynamodb`, with the client options the handlers use, against dynalite in a
 * process of its own, so only the caller's CPU is counted: first in a fresh isolate (as a sandbox that has just
 * cold-started, before V8 has optimized the SDK), then warm. Baseline, in the same run: the same request as a bare
 * HTTP POST with no SDK (no middleware stack, no signing).
 */
import '../infra/local/quiet-sdk-warning';
import { fork, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '../functions/lib/aws-client-config';
import { claimPorts } from '../infra/local/ports';

const callsPerRound = 2_000;
const tableName = 'bench-sdk-call';
const rawAgent = new Agent({ keepAlive: true });
const item = (index: number) => ({ id: { S: `order-${index % 100}` }, status: { S: 'PLACED' }, body: { S: 'x'.repeat(200) }, n: { N: String(index) } });

async function startDynalite(port: number): Promise<ChildProcess> {
  const child = fork(require.resolve('dynalite/cli.js'), ['--port', String(port), '--createTableMs', '0'], { silent: true });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`dynalite exited (${code})`)));
  });
  return child;
}

/** Caller CPU per call, in ms, over `calls` sequential calls of `call`. */
async function cpuPerCall(call: (index: number) => Promise<unknown>, calls = callsPerRound): Promise<number> {
  const before = process.cpuUsage();
  for (let index = 0; index < calls; index += 1) await call(index);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / calls;
}

function rawPut(port: number, index: number): Promise<void> {
  const body = JSON.stringify({ TableName: tableName, Item: item(index) });
  return new Promise((resolve, reject) => {
    const sent = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        agent: rawAgent,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.PutItem',
          // dynalite checks a SigV4 header is present and well formed, not what it signs.
          authorization: 'AWS4-HMAC-SHA256 Credential=bench/20261130/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0',
          'x-amz-date': '20261130T000000Z',
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        response.resume();
        response.once('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`PutItem answered ${response.statusCode}`))));
      },
    );
    sent.once('error', reject);
    sent.end(body);
  });
}

async function main(): Promise<void> {
  const { dynamodb: port } = await claimPorts({ shop: 0, email: 0, stepFunctions: 0, dynamodb: 0, secretsManager: 0 });
  const dynalite = await startDynalite(port);
  const client = new DynamoDBClient({ ...awsClientConfig, endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  try {
    await client.send(
      new CreateTableCommand({ TableName: tableName, BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] }),
    );
    const sdk = (index: number) => client.send(new PutItemCommand({ TableName: tableName, Item: item(index) }));
    const sdkCold = await cpuPerCall(sdk);
    const rawCold = await cpuPerCall((index) => rawPut(port, index));
    const sdkWarm = await cpuPerCall(sdk);
    const rawWarm = await cpuPerCall((index) => rawPut(port, index));
    console.log(`Node ${process.version}; caller CPU per DynamoDB PutItem, ${callsPerRound} sequential calls a round, dynalite in another process`);
    console.log('| Round | AWS SDK v3 client (as the handlers) | Bare HTTP POST (baseline) |');
    console.log('| --- | --- | --- |');
    console.log(`| first ${callsPerRound} calls of the isolate | ${sdkCold.toFixed(3)} ms | ${rawCold.toFixed(3)} ms |`);
    console.log(`| next ${callsPerRound} calls (warm) | ${sdkWarm.toFixed(3)} ms | ${rawWarm.toFixed(3)} ms |`);
  } finally {
    client.destroy();
    rawAgent.destroy();
    dynalite.kill();
  }
}

void main();
