import { apiError } from './api-errors';

export interface Partition {
  region: string;
  accountId: string;
}

// AWS forbids these in state machine and execution names; '/' and ':' matter most, since names become ARN parts.
const NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;

export function assertName(name: unknown, what: string): asserts name is string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw apiError('InvalidName', `Invalid ${what} name ${JSON.stringify(name)}: 1 to 80 characters, without whitespace, brackets, wildcards or any of " # % \\ ^ | ~ \` $ & , ; : /`);
  }
}

export const stateMachineArn = (partition: Partition, name: string) =>
  `arn:aws:states:${partition.region}:${partition.accountId}:stateMachine:${name}`;

export const executionArn = (partition: Partition, stateMachineName: string, name: string) =>
  `arn:aws:states:${partition.region}:${partition.accountId}:execution:${stateMachineName}:${name}`;

export function parseStateMachineArn(partition: Partition, arn: unknown): string {
  const prefix = stateMachineArn(partition, '');
  if (typeof arn !== 'string' || !arn.startsWith(prefix) || arn.length === prefix.length || arn.slice(prefix.length).includes(':')) {
    throw apiError('InvalidArn', `Invalid state machine ARN ${JSON.stringify(arn)}: expected ${prefix}<name>`);
  }
  return arn.slice(prefix.length);
}

export function parseExecutionArn(partition: Partition, arn: unknown): { stateMachineName: string; name: string } {
  const prefix = executionArn(partition, '', '').slice(0, -1);
  const parts = typeof arn === 'string' && arn.startsWith(prefix) ? arn.slice(prefix.length).split(':') : [];
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw apiError('InvalidArn', `Invalid execution ARN ${JSON.stringify(arn)}: expected ${prefix}<state machine name>:<execution name>`);
  }
  return { stateMachineName: parts[0], name: parts[1] };
}

export const lambdaFunctionArn = (partition: Partition, name: string) =>
  `arn:aws:lambda:${partition.region}:${partition.accountId}:function:${name}`;

/**
 * A state machine ARN, bare or qualified by `:<version>` (digits) or `:<alias>`, as StartExecution,
 * DescribeStateMachine and ListExecutions take it.
 */
export type StateMachineTarget = { name: string; version?: number; alias?: string };

export function parseStateMachineTarget(partition: Partition, arn: unknown): StateMachineTarget {
  const prefix = stateMachineArn(partition, '');
  const parts = typeof arn === 'string' && arn.startsWith(prefix) ? arn.slice(prefix.length).split(':') : [];
  if (parts.length < 1 || parts.length > 2 || parts.some((part) => part === '')) {
    throw apiError('InvalidArn', `Invalid Arn: '${String(arn)}': expected ${prefix}<name>, optionally followed by :<version> or :<alias>`);
  }
  const [name, qualifier] = parts;
  if (qualifier === undefined) return { name };
  return /^\d+$/.test(qualifier) ? { name, version: Number(qualifier) } : { name, alias: qualifier };
}

export const qualifiedArn = (partition: Partition, stateMachineName: string, qualifier: string | number) =>
  `${stateMachineArn(partition, stateMachineName)}:${qualifier}`;
