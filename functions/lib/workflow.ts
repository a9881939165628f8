import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { awsClientConfig } from './aws-client-config';
import { executionNameFor } from './order';

const sfn = new SFNClient(awsClientConfig);

/** The ARN Step Functions gives an execution: its state machine's ARN, with the execution's name. */
export function executionArnOf(stateMachineArn: string, executionName: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
}

export function executionArnFor(stateMachineArn: string, orderId: string): string {
  return executionArnOf(stateMachineArn, executionNameFor(orderId));
}

/** What was ordered, as the workflow's input carries it for the order's events. */
export interface WorkflowCake {
  productId: string;
  quantity: number;
}

/** The order workflow's side of Step Functions: starting an order and answering its callback tasks. */
export class OrderWorkflow {
  constructor(
    // Handlers that only answer callbacks have no STATE_MACHINE_ARN: tokens name their execution.
    private readonly stateMachineArn = '',
    private readonly client: SFNClient = sfn,
  ) {}

  executionArnFor(orderId: string): string {
    return executionArnFor(this.stateMachineArn, orderId);
  }

  /**
   * Starting twice is safe: Step Functions answers a repeated StartExecution with the same name and input as the
   * first while the execution runs, and an execution of this name that has already ended was started for this order.
   */
  async start(orderId: string, cake: WorkflowCake): Promise<void> {
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: executionNameFor(orderId),
          // What the order's OrderPlaced event carries, so the workflow never reads the order for it. Never the
          // customer's details: the execution's input is in its history and logs.
          input: JSON.stringify({ orderId, productId: cake.productId, quantity: cake.quantity }),
        }),
      );
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ExecutionAlreadyExists')) throw error;
    }
  }

  async succeedTask(taskToken: string, output: Record<string, unknown>): Promise<void> {
    await this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
  }

  async failTask(taskToken: string, error: string, cause: string): Promise<void> {
    await this.client.send(new SendTaskFailureCommand({ taskToken, error, cause }));
  }
}

/** The task behind the token has already ended (timed out or moved on), so it can no longer be answered. */
export function isStaleTaskToken(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TaskTimedOut' || error.name === 'TaskDoesNotExist');
}
