import {
  DescribeExecutionCommand,
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  RedriveExecutionCommand,
  SFNClient,
  StopExecutionCommand,
  type DescribeExecutionCommandOutput,
  type ExecutionListItem,
  type ExecutionStatus,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../tables';
import type { AslDefinition } from './graph';
import { executionNameFor } from '../../../functions/lib/order';
import { executionArnOf } from '../../../functions/lib/workflow';

export interface ReaderOptions {
  sfnEndpoint: string;
  dynamodbEndpoint: string;
  ordersTable: string;
  region: string;
  /** When absent, the order state machine is found with ListStateMachines. */
  stateMachineArn?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface ExecutionPage {
  executions: ExecutionListItem[];
  nextToken?: string;
}

export interface ExecutionDetail {
  execution: DescribeExecutionCommandOutput;
  definition: AslDefinition;
  events: HistoryEvent[];
}

export const orderExecutionPrefix = executionNameFor('');

/** What the console does to a workflow, through the same Step Functions and DynamoDB APIs the AWS console uses. */
export class WorkflowReader {
  private readonly sfn: SFNClient;
  private readonly dynamodb: DynamoDBDocumentClient;
  private machineArn?: Promise<string>;

  constructor(private readonly options: ReaderOptions) {
    // The local services accept any credentials; fixed ones keep the console from reading the developer's real ones.
    const credentials = options.credentials ?? { accessKeyId: 'local', secretAccessKey: 'local' };
    this.sfn = new SFNClient({ endpoint: options.sfnEndpoint, region: options.region, credentials, maxAttempts: 1 });
    this.dynamodb = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: options.dynamodbEndpoint, region: options.region, credentials, maxAttempts: 1 }),
    );
    if (options.stateMachineArn) this.machineArn = Promise.resolve(options.stateMachineArn);
  }

  stateMachineArn(): Promise<string> {
    this.machineArn ??= this.findStateMachine().catch((error: unknown) => {
      this.machineArn = undefined;
      throw error;
    });
    return this.machineArn;
  }

  private async findStateMachine(): Promise<string> {
    const { stateMachines = [] } = await this.sfn.send(new ListStateMachinesCommand({ maxResults: 1000 }));
    const machine = stateMachines.find((candidate) => /order/i.test(candidate.name ?? '')) ?? stateMachines[0];
    if (!machine?.stateMachineArn) throw new NoStateMachine(this.options.sfnEndpoint);
    return machine.stateMachineArn;
  }

  async listExecutions(status: ExecutionStatus | undefined, nextToken: string | undefined, pageSize: number): Promise<ExecutionPage> {
    const result = await this.sfn.send(
      new ListExecutionsCommand({ stateMachineArn: await this.stateMachineArn(), statusFilter: status, nextToken, maxResults: pageSize }),
    );
    // ListExecutions answers newest first, as on AWS.
    return { executions: result.executions ?? [], nextToken: result.nextToken };
  }

  /**
   * Executions whose name starts with `prefix`, newest first, at most `limit`. ListExecutions has no name filter, on
   * AWS either, so this reads its pages until it has enough; fine for one machine's executions.
   */
  async findByNamePrefix(prefix: string, status: ExecutionStatus | undefined, limit: number): Promise<ExecutionListItem[]> {
    const found: ExecutionListItem[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.listExecutions(status, nextToken, 1000);
      found.push(...page.executions.filter((execution) => execution.name?.startsWith(prefix)));
      nextToken = page.nextToken;
    } while (nextToken && found.length < limit);
    return found.slice(0, limit);
  }

  /** Execution ARNs follow from the state machine ARN and the name, as in AWS. */
  async executionArn(name: string): Promise<string> {
    return executionArnOf(await this.stateMachineArn(), name);
  }

  async describe(name: string): Promise<DescribeExecutionCommandOutput | undefined> {
    try {
      return await this.sfn.send(new DescribeExecutionCommand({ executionArn: await this.executionArn(name) }));
    } catch (error) {
      // A name no execution can have (InvalidArn) is as absent as one nobody used.
      if (error instanceof Error && (error.name === 'ExecutionDoesNotExist' || error.name === 'InvalidArn')) return undefined;
      throw error;
    }
  }

  async history(executionArn: string): Promise<HistoryEvent[]> {
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return events;
  }

  async detail(name: string): Promise<ExecutionDetail | undefined> {
    const execution = await this.describe(name);
    if (!execution?.executionArn) return undefined;
    // The definition the execution ran, not the machine's current one: an update since it started must not redraw its path.
    const [machine, events] = await Promise.all([
      this.sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn: execution.executionArn })),
      this.history(execution.executionArn),
    ]);
    return { execution, definition: JSON.parse(machine.definition ?? '{}') as AslDefinition, events };
  }

  async stop(executionArn: string): Promise<void> {
    await this.sfn.send(new StopExecutionCommand({ executionArn, error: 'StoppedByOps', cause: 'Stopped from the ops console.' }));
  }

  async redrive(executionArn: string): Promise<void> {
    await this.sfn.send(new RedriveExecutionCommand({ executionArn }));
  }

  /** The order behind an `order-<orderId>` execution, or undefined when the name is not an order's. */
  async order(executionName: string): Promise<Record<string, unknown> | undefined> {
    if (!executionName.startsWith(orderExecutionPrefix)) return undefined;
    const orderId = executionName.slice(orderExecutionPrefix.length);
    const { Item } = await this.dynamodb.send(
      new GetCommand({ TableName: this.options.ordersTable, Key: { [tables.orders.partitionKey]: orderId } }),
    );
    return Item;
  }
}

export class NoStateMachine extends Error {
  override name = 'NoStateMachine' as const;
  constructor(endpoint: string) {
    super(`No state machine exists at ${endpoint}; start the local stack so it creates the order workflow.`);
  }
}
