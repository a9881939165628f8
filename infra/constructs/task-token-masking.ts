import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * Matches a task token by the key it travels under, in plain or JSON-escaped form (execution logs carry task
 * parameters as an escaped JSON string). Tokens have no documented format, so the key is what identifies them.
 */
export const taskTokenPattern = String.raw`taskToken\\*"\s*:\s*\\*"[^"\\]+`;

/**
 * Execution logs at level ALL include each callback task's parameters, and with them its task token, which
 * lets anyone who reads it complete the task. The policy masks tokens for every reader without logs:Unmask.
 */
export function taskTokenMasking(): logs.DataProtectionPolicy {
  return new logs.DataProtectionPolicy({
    name: 'mask-task-tokens',
    description: 'Masks Step Functions task tokens: whoever holds one can complete the task',
    identifiers: [new logs.CustomDataIdentifier('TaskToken', taskTokenPattern)],
  });
}
