import { localOnly, localShop, type Shop } from '../steps/shop';
import { LocalStack } from '../support/local-stack';
import { anEmailArrives, eventually, historyOf, theExecutionEnds } from '../steps/then';
import { anOrderRequest, customerPlacesOrder, customerLooksUpOrder, json } from '../steps/when';

jest.setTimeout(180_000);

/**
 * The local stack enforces the IAM policies of the synthesized stack: each function signs its calls with the
 * credentials of its own role, and DynamoDB, the Step Functions API, email and the engine's Lambda invocations check
 * each call against that role. A grant missing from infra/ therefore fails here as it would on AWS, with AWS's
 * AccessDenied. LOCAL_IAM_WITHOUT takes a grant out of the synthesized roles, as if infra/ never made it.
 */
const scenario = localOnly('a stack started with a grant taken out of its roles');

let shop: Shop | undefined;
afterEach(async () => {
  shop?.stepFunctions.destroy();
  await shop?.local?.stop();
  shop = undefined;
});

async function aShopWithout(grants: string): Promise<Shop> {
  return localShop(await LocalStack.start({ environment: { LOCAL_IAM_WITHOUT: grants } }));
}

const identityArn = (address: string) => `arn:aws:ses:us-east-1:123456789012:identity/${address}`;

describe('IAM on the local stack', () => {
  scenario('GIVEN the cake maker step may not send email WHEN a customer orders THEN that step fails with AccessDenied naming ses:SendEmail and the sender identity', async () => {
    // GIVEN a shop whose Ask Cake Maker function has lost its ses:SendEmail grant
    shop = await aShopWithout('askCakeMaker=ses:SendEmail');

    // WHEN a customer orders
    const request = anOrderRequest();
    const { orderId } = json<{ orderId: string }>(await customerPlacesOrder(shop, request));

    // THEN the customer's confirmation still goes out, its function keeps the grant
    await anEmailArrives(shop, { to: request.email, subject: 'We have your order', mentioning: orderId });
    // AND the execution stops at Ask Cake Maker with SES's AccessDenied, which is not a fault to retry
    const execution = await theExecutionEnds(shop, orderId);
    expect(execution.status).toBe('FAILED');
    const failed = (await historyOf(shop, orderId)).filter((event) => event.type === 'TaskFailed');
    expect(failed).toHaveLength(1);
    expect(failed[0].taskFailedEventDetails?.error).toBe('AccessDeniedException');
    // AND the stack's log records the denial as CloudTrail would, naming the role, the action and the identity
    const local = shop.local as LocalStack;
    expect(local.output).toMatch(
      new RegExp(
        'AccessDenied: User: arn:aws:sts::123456789012:assumed-role/CakeShop-AskCakeMakerFunctionServiceRole\\w+/cake-shop-ask-cake-maker ' +
          `is not authorized to perform: ses:SendEmail on resource: ${identityArn('orders@cake-shop.example.com')} because no identity-based policy allows the ses:SendEmail action`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      ),
    );
  });

  scenario('GIVEN placing orders may not start executions WHEN a customer orders THEN the order is refused, nothing is kept, and the log names states:StartExecution', async () => {
    // GIVEN a shop whose Place Order function has lost its states:StartExecution grant
    shop = await aShopWithout('placeOrder=states:StartExecution');

    // WHEN a customer orders
    const answer = await customerPlacesOrder(shop, anOrderRequest());

    // THEN the shop says it could not take the order
    expect(answer.status).toBeGreaterThanOrEqual(500);
    // AND the stack's log records the denial as CloudTrail would, naming the action and the state machine
    const local = shop.local as LocalStack;
    const denied = `is not authorized to perform: states:StartExecution on resource: ${shop.stateMachineArn} because no identity-based policy allows`;
    await eventually('the AccessDenied in the stack log', async () => local.output, (output) => output.includes(denied));
    // AND no order was kept
    expect(local.output).toContain('Order not placed');
  });

  scenario('GIVEN a shop with every grant WHEN the tests call its services with credentials of their own THEN they act as the account administrator', async () => {
    // GIVEN a shop with its roles as synthesized
    shop = await aShopWithout('');

    // WHEN a customer orders, and the test reads the execution with its own credentials
    const { orderId } = json<{ orderId: string }>(await customerPlacesOrder(shop, anOrderRequest()));

    // THEN both work: the customer's order and the test's DescribeExecution
    expect((await customerLooksUpOrder(shop, orderId)).status).toBe(200);
    expect((await historyOf(shop, orderId)).length).toBeGreaterThan(0);
  });
});
