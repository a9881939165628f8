import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { postJson } from '../fixtures/api-events';
import { lambdaContext } from '../fixtures/lambda-context';
import type { Handlers } from '../fixtures/order-journey';
import { loadHandlers, orderJourney, taskEvent } from '../fixtures/order-journey';
import type { TestShop } from '../fixtures/test-shop';
import { captureLogLines, sentEmails, startTestShop, webhookSecret } from '../fixtures/test-shop';

interface Delivery {
  path: string;
  body: Record<string, unknown>;
  signatureValid: boolean;
  timestamp: string | undefined;
}

/** A partner's endpoint: it checks the signature the way the delivery company would. */
let partner: Server;
let deliveries: Delivery[];
let answer: 'ok' | 'error' | 'hang-up';
let shop: TestShop;
let handlers: Handlers;
let given: ReturnType<typeof orderJourney>;
let logs: ReturnType<typeof captureLogLines>;

function receive(request: IncomingMessage, response: ServerResponse): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    if (answer === 'hang-up') {
      request.socket.destroy();
      return;
    }
    const raw = Buffer.concat(chunks);
    const expected = Buffer.from(`sha256=${createHmac('sha256', webhookSecret).update(raw).digest('hex')}`);
    const presented = Buffer.from(String(request.headers['x-cake-shop-signature'] ?? ''));
    deliveries.push({
      path: request.url ?? '',
      body: JSON.parse(raw.toString('utf8')) as Record<string, unknown>,
      signatureValid: presented.length === expected.length && timingSafeEqual(presented, expected),
      timestamp: request.headers['x-cake-shop-timestamp'] as string | undefined,
    });
    response.writeHead(answer === 'ok' ? 204 : 500).end();
  });
}

beforeAll(async () => {
  partner = createServer(receive);
  await new Promise<void>((resolve) => partner.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(partner.address() as AddressInfo).port}`;
  shop = await startTestShop({ DELIVERY_WEBHOOK_URL: `${base}/deliveries`, CUSTOMER_SERVICE_WEBHOOK_URL: `${base}/feedback` });
  handlers = await loadHandlers();
  given = orderJourney(shop, handlers);
});
afterAll(async () => {
  await shop.stop();
  await new Promise<void>((resolve) => partner.close(() => resolve()));
});
beforeEach(() => {
  deliveries = [];
  answer = 'ok';
  shop.ses.reset();
  shop.secrets.reset();
  shop.secrets.on(GetSecretValueCommand).resolves({ SecretString: webhookSecret });
  logs = captureLogLines();
});
afterEach(() => logs.restore());

async function fulfilledOrder() {
  const order = await given.orderAwaitingCakeMaker();
  await handlers.fulfilOrder(postJson('/order/fulfilled', { orderId: order.orderId, code: order.fulfilCode }), lambdaContext());
  shop.ses.reset();
  return order;
}

describe('Notify Delivery Company (by webhook)', () => {
  it('GIVEN DELIVERY_WEBHOOK_URL is set WHEN the task runs THEN the partner receives JSON signed with HMAC-SHA256 over the raw body, and no email', async () => {
    const { orderId } = await fulfilledOrder();

    await handlers.notifyDeliveryCompany(taskEvent(orderId), lambdaContext());

    expect(deliveries).toHaveLength(1);
    const [delivery] = deliveries;
    expect(delivery?.path).toBe('/deliveries');
    expect(delivery?.signatureValid).toBe(true);
    expect(delivery?.timestamp).toMatch(/^\d{10}$/);
    expect(delivery?.body).toMatchObject({ orderId, quantity: 2, deliveryAddress: '12 St James Square\nLondon SW1Y 4JH' });
    expect(sentEmails(shop)).toHaveLength(0);
  });

  it('GIVEN the webhook was delivered WHEN the task is retried THEN the partner is not called again', async () => {
    const { orderId } = await fulfilledOrder();
    await handlers.notifyDeliveryCompany(taskEvent(orderId), lambdaContext());

    await handlers.notifyDeliveryCompany(taskEvent(orderId), lambdaContext());

    expect(deliveries).toHaveLength(1);
  });

  it('GIVEN the partner answers 500 WHEN the task runs THEN it throws DependencyUnavailable, and a later retry delivers', async () => {
    const { orderId } = await fulfilledOrder();
    answer = 'error';

    await expect(handlers.notifyDeliveryCompany(taskEvent(orderId), lambdaContext())).rejects.toMatchObject({ name: 'DependencyUnavailable' });
    answer = 'ok';
    await handlers.notifyDeliveryCompany(taskEvent(orderId), lambdaContext());

    expect(deliveries.map((delivery) => delivery.signatureValid)).toEqual([true, true]);
  });

  it('GIVEN the partner hangs up WHEN the task runs THEN it throws DependencyUnavailable', async () => {
    const { orderId } = await fulfilledOrder();
    answer = 'hang-up';

    await expect(handlers.notifyDeliveryCompany(taskEvent(orderId), lambdaContext())).rejects.toMatchObject({ name: 'DependencyUnavailable' });
  });

  it('GIVEN Secrets Manager is throttling WHEN the task runs THEN it throws DependencyUnavailable and posts nothing unsigned', async () => {
    const { orderId } = await fulfilledOrder();
    shop.secrets.on(GetSecretValueCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    await expect(handlers.forwardFeedback(taskEvent(orderId), lambdaContext())).rejects.toMatchObject({ name: 'DependencyUnavailable' });
    expect(deliveries).toHaveLength(0);
  });
});

describe('Forward Feedback (by webhook)', () => {
  it('GIVEN CUSTOMER_SERVICE_WEBHOOK_URL is set WHEN the task runs THEN customer service receives the signed rating and comment', async () => {
    const order = await given.orderOutForDelivery();
    await handlers.confirmDelivery(
      postJson('/order/delivered', { orderId: order.orderId, code: order.deliveredCode, rating: 2, comment: 'A bit dry' }),
      lambdaContext(),
    );

    await handlers.forwardFeedback(taskEvent(order.orderId), lambdaContext());

    const feedback = deliveries.filter((delivery) => delivery.path === '/feedback');
    expect(feedback).toHaveLength(1);
    expect(feedback[0]?.signatureValid).toBe(true);
    expect(feedback[0]?.body).toMatchObject({ orderId: order.orderId, rating: 2, comment: 'A bit dry' });
  });
});
