import { inspect } from 'node:util';
import { taskTokenPattern } from '../../infra/constructs/task-token-masking';

/**
 * What CloudWatch Logs accepts in a custom data identifier ("Custom data identifiers" in the CloudWatch Logs
 * guide): letters, digits, `_ # = @ / ; , -` and space, and the regex characters `^ $ ? [ ] { } | \ * + .`.
 */
const documentedCharacters = new Set([
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  ...'_#=@/;,- ',
  ...'^$?[]{}|\\*+.',
]);
const documentedMaxLength = 200;

/** A token the size and alphabet of a real one: base64 with `+`, `/` and padding. */
const token = `AQCEAAAAKgAAAAMAAAAAAAAAA${Buffer.from(Array.from({ length: 500 }, (_, i) => (i * 37 + 11) % 256)).toString('base64')}`;

/** What CloudWatch Logs does to a log event under the policy: each match becomes asterisks. */
const mask = (line: string): string => line.replace(new RegExp(taskTokenPattern, 'g'), '****');

describe('the task token masking pattern', () => {
  it('uses only the characters CloudWatch Logs accepts, within its length limit', () => {
    // GIVEN the custom data identifier's regex, THEN CloudWatch Logs would accept it
    const rejected = [...taskTokenPattern].filter((character) => !documentedCharacters.has(character));
    expect(rejected).toEqual([]);
    expect(taskTokenPattern.length).toBeLessThanOrEqual(documentedMaxLength);
  });

  it('masks the token in the escaped parameters of an execution log TaskScheduled event, and keeps the event JSON', () => {
    // GIVEN a TaskScheduled event as Step Functions logs it at level ALL: the parameters are an escaped JSON string
    const line = JSON.stringify({
      id: '7',
      type: 'TaskScheduled',
      details: {
        parameters: JSON.stringify({
          FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:CakeShop-AskCakeMakerFunction',
          Payload: { orderId: 'o-1', taskToken: token },
        }),
        region: 'us-east-1',
        resource: 'invoke.waitForTaskToken',
        resourceType: 'lambda',
      },
      previous_event_id: '6',
      execution_arn: 'arn:aws:states:us-east-1:123456789012:execution:CakeShopOrder:order-o-1',
    });
    // WHEN CloudWatch Logs masks it
    const masked = mask(line);
    // THEN no part of the token is left, the rest is readable, and the event is still one JSON document
    expect(masked).not.toContain(token.slice(0, 16));
    expect(masked).toContain('o-1');
    expect(masked).toContain('invoke.waitForTaskToken');
    expect(() => JSON.parse(masked)).not.toThrow();
  });

  it('masks the token in a structured Lambda log line that carries the event', () => {
    // GIVEN a Powertools JSON log line with the callback task's event in it
    const line = JSON.stringify({
      level: 'INFO',
      message: 'Lambda invocation event',
      service: 'cake-shop',
      event: { orderId: 'o-1', taskToken: token },
    });
    // WHEN it is masked
    const masked = mask(line);
    // THEN the token is gone with its key (the pattern cannot leave the key out), and the message is still readable
    expect(masked).not.toContain(token.slice(0, 16));
    expect(masked).toContain('"message":"Lambda invocation event"');
  });

  it('masks the token in a plain console.log of the event', () => {
    // GIVEN the Lambda runtime's text line for console.log(event): Node prints keys bare and strings in single quotes
    const line = `2026-05-01T10:00:00.000Z\t6f1c0f4e-1d2a-4c1b-9d0e-0b1f5a1e2c3d\tINFO\t${inspect({ orderId: 'o-1', taskToken: token }, { breakLength: Infinity, maxStringLength: Infinity })}`;
    // WHEN it is masked, THEN the token is gone
    expect(mask(line)).not.toContain(token.slice(0, 16));
    expect(mask(line)).toContain('o-1');
  });

  it.each(['fulfilTaskToken', 'deliveryTaskToken'])('masks the token an order record keeps under %s', (field) => {
    // GIVEN an order record as it would appear if a handler logged it
    const line = JSON.stringify({ orderId: 'o-1', status: 'PLACED', [field]: token });
    // WHEN it is masked, THEN the token is gone
    expect(mask(line)).not.toContain(token.slice(0, 16));
    expect(mask(line)).toContain('PLACED');
  });

  it('leaves log lines that only name the task token untouched', () => {
    // GIVEN the handlers' own error text about a missing token, THEN nothing in it is masked
    const line = 'The task payload has no taskToken; this task must run as a waitForTaskToken callback';
    expect(mask(line)).toBe(line);
  });
});
