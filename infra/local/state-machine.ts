import type {
  CreateStateMachineInput,
  CreateStateMachineOutput,
  DeleteStateMachineInput,
  DescribeStateMachineInput,
  DescribeStateMachineOutput,
  ListStateMachinesInput,
  ListStateMachinesOutput,
} from '@aws-sdk/client-sfn';

/** The order workflow filled from the same tables CDK uses: local Lambda ARNs and the shop's settings. */
export { resolveOrderDefinition } from '../order-definition';

/** The part of the Step Functions API that deploying needs; the local engine offers it in-process. */
export interface StateMachineAdmin {
  listStateMachines(input: ListStateMachinesInput): Promise<ListStateMachinesOutput>;
  describeStateMachine(input: DescribeStateMachineInput): Promise<DescribeStateMachineOutput>;
  createStateMachine(input: CreateStateMachineInput): Promise<CreateStateMachineOutput>;
  deleteStateMachine(input: DeleteStateMachineInput): Promise<unknown>;
}

/**
 * Creates the state machine, or replaces its definition when the ASL or settings changed since the last start.
 * Executions already running keep the definition they started with, as on AWS, so replacing by name is an update.
 */
export async function deployStateMachine(admin: StateMachineAdmin, name: string, definition: string, roleArn: string): Promise<string> {
  let nextToken: string | undefined;
  do {
    const page = await admin.listStateMachines({ nextToken });
    const existing = page.stateMachines?.find((machine) => machine.name === name);
    if (existing?.stateMachineArn) {
      const current = await admin.describeStateMachine({ stateMachineArn: existing.stateMachineArn });
      if (current.definition === definition) return existing.stateMachineArn;
      await admin.deleteStateMachine({ stateMachineArn: existing.stateMachineArn });
      break;
    }
    nextToken = page.nextToken;
  } while (nextToken);
  const created = await admin.createStateMachine({ name, definition, roleArn, type: 'STANDARD' });
  if (!created.stateMachineArn) throw new Error(`CreateStateMachine returned no ARN for ${name}`);
  return created.stateMachineArn;
}
