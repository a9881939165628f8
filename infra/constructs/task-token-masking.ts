import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * Matches a task token by the key it travels under, and the token itself.
 *
 * CloudWatch Logs accepts only letters, digits, `_ # = @ / ; , -`, space and `^ $ ? [ ] { } | \ * + .` in a custom
 * data identifier, at most 200 characters ("Custom data identifiers" in the CloudWatch Logs guide), so the quote and
 * colon between key and value cannot be written: `\W{1,12}` stands for them. That also covers every shape the key
 * and value are separated by in our logs: `":"` in JSON, `\":\"` in the execution log's escaped task parameters, and
 * `: '` in a console.log of an event. Tokens have no documented format; they are base64, so the value is a run of
 * base64 characters (URL-safe ones included), which stops at the closing quote or at its escaping backslash, so an
 * execution log event stays valid JSON. Without groups or lookbehind the key is masked with the token, so a plain
 * JSON line that carries a token stops being JSON: a line that leaks less is worth that. `[Tt]ask[Tt]oken` also
 * matches the order record's `fulfilTaskToken` and `deliveryTaskToken`.
 */
export const taskTokenPattern = String.raw`[Tt]ask[Tt]oken\W{1,12}[\w+/=-]{16,}`;

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
