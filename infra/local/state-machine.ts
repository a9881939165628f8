import * as fs from 'node:fs';
import * as path from 'node:path';
import type {
  CreateStateMachineInput,
  CreateStateMachineOutput,
  DeleteStateMachineInput,
  DescribeStateMachineInput,
  DescribeStateMachineOutput,
  ListStateMachinesInput,
  ListStateMachinesOutput,
} from '@aws-sdk/client-sfn';
import { repositoryRoot } from '../function-defaults';
import type { Settings } from '../settings';
import { functionPlaceholders, orderStateMachineFile, settingPlaceholders, type HandlerName } from '../wiring';

/**
 * Fills the `${Placeholder}`s of the order workflow from the same tables CDK uses for its definition
 * substitutions: function placeholders with the local Lambda ARNs, setting placeholders with the settings.
 */
export function resolveOrderDefinition(functionArns: Record<HandlerName, string>, settings: Settings): string {
  const values: Record<string, string> = {};
  for (const [placeholder, handler] of Object.entries(functionPlaceholders)) values[placeholder] = functionArns[handler];
  for (const [placeholder, setting] of Object.entries(settingPlaceholders)) values[placeholder] = String(settings[setting]);
  const template = fs.readFileSync(path.join(repositoryRoot, orderStateMachineFile), 'utf8');
  const unknown = new Set<string>();
  const definition = template.replace(/\$\{([A-Za-z0-9]+)\}/g, (whole, name: string) => {
    if (name in values) return values[name];
    unknown.add(name);
    return whole;
  });
  if (unknown.size > 0) {
    throw new Error(`${orderStateMachineFile} uses placeholders infra/wiring.ts does not define: ${[...unknown].join(', ')}`);
  }
  return definition;
}

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
