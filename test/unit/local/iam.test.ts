import { accessKeyOf, localAccessKeyId, LocalIam, revokedGrantsFrom, revokeGrants, type LocalPrincipal } from '../../../infra/local/iam';

const table = 'arn:aws:dynamodb:us-east-1:123456789012:table/cake-shop-orders';
const stateMachine = 'arn:aws:states:us-east-1:123456789012:stateMachine:cake-shop-order';

const fulfilOrder: LocalPrincipal = {
  roleArn: 'arn:aws:iam::123456789012:role/CakeShop-FulfilOrderRole',
  sessionName: 'cake-shop-fulfil-order',
  policies: [
    {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Resource: [table] },
        { Effect: 'Allow', Action: ['states:SendTaskSuccess', 'states:SendTaskFailure'], Resource: stateMachine },
        { Effect: 'Deny', Action: 'dynamodb:DeleteItem', Resource: '*' },
      ],
    },
  ],
};

const key = localAccessKeyId('cake-shop-fulfil-order');

describe('local IAM', () => {
  test('allows what the role grants, on the resource it names', () => {
    const iam = new LocalIam({ [key]: fulfilOrder });
    expect(iam.denial(key, 'dynamodb:UpdateItem', table)).toBeUndefined();
    expect(iam.denial(key, 'states:SendTaskSuccess', stateMachine)).toBeUndefined();
  });

  test('denies anything else with the message AWS gives, naming the session, the action and the resource', () => {
    const denied: string[] = [];
    const iam = new LocalIam({ [key]: fulfilOrder }, (message) => denied.push(message));
    expect(iam.denial(key, 'dynamodb:PutItem', table)).toBe(
      'User: arn:aws:sts::123456789012:assumed-role/CakeShop-FulfilOrderRole/cake-shop-fulfil-order is not authorized to perform: ' +
        `dynamodb:PutItem on resource: ${table} because no identity-based policy allows the dynamodb:PutItem action`,
    );
    expect(iam.denial(key, 'dynamodb:UpdateItem', `${table}-other`)).toContain('because no identity-based policy allows');
    expect(iam.denial(key, 'dynamodb:DeleteItem', table)).toMatch(/ with an explicit deny in an identity-based policy$/);
    // AND each denial is heard, as CloudTrail records each one
    expect(denied).toHaveLength(3);
  });

  test('lets callers with any other key through, as the account administrator', () => {
    const iam = new LocalIam({ [key]: fulfilOrder });
    expect(iam.governs('local')).toBe(false);
    expect(iam.denial('local', 'dynamodb:DeleteTable', table)).toBeUndefined();
    expect(iam.denial(undefined, 'states:StartExecution', stateMachine)).toBeUndefined();
  });

  test('reads the access key of a SigV4 Authorization header', () => {
    const header = `AWS4-HMAC-SHA256 Credential=${key}/20261130/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`;
    expect(accessKeyOf(header)).toBe(key);
    expect(accessKeyOf(undefined)).toBeUndefined();
    expect(accessKeyOf('Bearer x')).toBeUndefined();
  });

  test('takes a grant out of a role as if infra/ never made it, dropping a statement left with no action', () => {
    const revoked = revokeGrants(fulfilOrder, revokedGrantsFrom('fulfilOrder=dynamodb:GetItem fulfilOrder=dynamodb:UpdateItem'));
    const iam = new LocalIam({ [key]: revoked });
    expect(iam.denial(key, 'dynamodb:UpdateItem', table)).toContain('because no identity-based policy allows the dynamodb:UpdateItem action');
    expect(iam.denial(key, 'states:SendTaskSuccess', stateMachine)).toBeUndefined();
    expect(revoked.policies[0].Statement).toHaveLength(2);
  });

  test('refuses a LOCAL_IAM_WITHOUT entry that is not handler=service:Action', () => {
    expect(() => revokedGrantsFrom('fulfilOrder')).toThrow(/handler=service:Action/);
    expect(revokedGrantsFrom('')).toEqual([]);
  });
});
