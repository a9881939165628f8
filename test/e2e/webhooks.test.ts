import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { anOrderAwaitingTheCakeMaker } from '../steps/given';
import { localOnly, localShop, type Shop } from '../steps/shop';
import { emailsTo, eventually, theWorkflowWaitsIn } from '../steps/then';
import { personFollowsLinkAndSubmits } from '../steps/when';
import { LocalStack } from '../support/local-stack';
import { WebhookReceiver } from '../support/webhook-receiver';

jest.setTimeout(180_000);

/**
 * With `deliveryWebhookUrl` set, the delivery company is told by a signed webhook instead of an email. Under
 * `npm start` the signing key comes from the local Secrets Manager, which generated it as CloudFormation would, and
 * the delivery company's receiver checks every signature with its copy of that key.
 */
const scenario = localOnly('a stack started with a webhook URL that points at a receiver of the test');

let receiver: WebhookReceiver;
let shop: Shop;

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  shop = localShop(await LocalStack.start({ environment: { LOCAL_CAKE_SHOP_SETTINGS: JSON.stringify({ deliveryWebhookUrl: `${receiver.url}/hooks/cake-shop` }) } }));
  // Ops hand the delivery company the signing key, read with an administrator's credentials.
  const local = shop.local as LocalStack;
  const secrets = new SecretsManagerClient({ endpoint: local.urls.secretsManager, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: 'cake-shop-webhook' }));
  secrets.destroy();
  receiver.holdKey(SecretString ?? '');
});

afterAll(async () => {
  shop?.stepFunctions.destroy();
  await shop?.local?.stop();
  await receiver?.stop();
});

describe('webhooks to the delivery company', () => {
  scenario('GIVEN an order the cake maker fulfils THEN the delivery company gets one webhook it can verify, and no email', async () => {
    // GIVEN an order waiting for the cake maker
    const order = await anOrderAwaitingTheCakeMaker(shop);

    // WHEN the cake maker fulfils it
    await personFollowsLinkAndSubmits(order.fulfilLink);
    await theWorkflowWaitsIn(shop, order.orderId, 'Await Delivery Confirmation');

    // THEN the receiver got one webhook for the order, signed with the key from Secrets Manager
    const forOrder = await eventually(
      'the delivery webhook',
      async () => receiver.received.filter((hook) => hook.body.orderId === order.orderId),
      (hooks) => hooks.length > 0,
    );
    expect(forOrder).toHaveLength(1);
    expect(forOrder[0]).toMatchObject({
      path: '/hooks/cake-shop',
      signatureValid: true,
      body: { type: 'order.readyForCollection', eventId: `${order.orderId}.readyForCollection`, orderId: order.orderId },
    });
    // AND the delivery company got no email about it
    expect(await emailsTo(shop, { to: shop.people.delivery, subject: '', mentioning: order.orderId })).toEqual([]);
  });
});
