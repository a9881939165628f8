import { createHash } from 'node:crypto';
import { getLinkPage, getOrder, postForm, postJson } from '../fixtures/api-events';
import { lambdaContext } from '../fixtures/lambda-context';
import { taskEvent, useTestShop } from '../fixtures/order-journey';
import { storedOrder } from '../fixtures/stored-orders';
import { publicBaseUrl, sentEmails } from '../fixtures/test-shop';

const world = useTestShop();

const wrongCode = 'B'.repeat(43);
const unknownOrderId = '00000000-0000-4000-8000-000000000000';
const hostile = {
  name: '<script>alert("name")</script> Mallory',
  message: '"><img src=x onerror=alert(1)>',
  address: "1 <b>Bold</b> Street & 'Quotes' Lane",
};

describe('the fulfil page', () => {
  it('GIVEN an order waiting for the cake maker WHEN the link is opened THEN the page shows what to bake and one button posting orderId and code', async () => {
    const order = await world.given.orderAwaitingCakeMaker();

    const response = await world.handlers.showFulfilPage(getLinkPage('fulfill', order.orderId, order.fulfilCode), lambdaContext());

    expect(response.statusCode).toBe(200);
    const body = response.body ?? '';
    expect(body).toContain('Lemon drizzle cake');
    expect(body).toContain('Happy birthday, Charles!');
    expect(body).toContain('12 St James Square');
    expect(body).toContain(`<form method="post" action="${publicBaseUrl}/order/fulfilled">`);
    expect(body).toContain(`<input type="hidden" name="orderId" value="${order.orderId}">`);
    expect(body).toContain(`<input type="hidden" name="code" value="${order.fulfilCode}">`);
    expect(body.match(/<button/g)).toHaveLength(1);
  });

  it('GIVEN an order WHEN the link has a wrong code THEN a friendly 403 page says the link is not valid', async () => {
    const order = await world.given.orderAwaitingCakeMaker();

    const response = await world.handlers.showFulfilPage(getLinkPage('fulfill', order.orderId, wrongCode), lambdaContext());

    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('This link is not valid');
    expect(response.body).not.toContain('<form');
  });

  it('GIVEN an order WHEN the link has no code THEN the page answers 403', async () => {
    const order = await world.given.orderAwaitingCakeMaker();

    expect((await world.handlers.showFulfilPage(getLinkPage('fulfill', order.orderId), lambdaContext())).statusCode).toBe(403);
  });

  it('GIVEN no such order WHEN the link is opened THEN a 404 page says so', async () => {
    const response = await world.handlers.showFulfilPage(getLinkPage('fulfill', unknownOrderId, wrongCode), lambdaContext());

    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('Order not found');
  });

  it('GIVEN the customer cancelled WHEN the cake maker opens the link THEN a 409 page says not to bake it', async () => {
    const order = await world.given.orderAwaitingCakeMaker();
    await world.handlers.cancelOrder(postJson('/order/cancel', { orderId: order.orderId, code: order.cancelCode }), lambdaContext());

    const response = await world.handlers.showFulfilPage(getLinkPage('fulfill', order.orderId, order.fulfilCode), lambdaContext());

    expect(response.statusCode).toBe(409);
    expect(response.body).toContain('The customer cancelled this order');
  });

  it('GIVEN the order was cancelled because nobody confirmed it WHEN the cake maker opens the link THEN a 410 page says it expired', async () => {
    const order = await world.given.orderAwaitingCakeMaker();
    await world.handlers.setOrderStatus(taskEvent(order.orderId, { status: 'CANCELLED' as const, reason: 'The cake maker did not confirm the order in time.' }), lambdaContext());

    const response = await world.handlers.showFulfilPage(getLinkPage('fulfill', order.orderId, order.fulfilCode), lambdaContext());

    expect(response.statusCode).toBe(410);
    expect(response.body).toContain('expired');
  });

  it('GIVEN the cake is already marked ready WHEN the link is opened again THEN the page says so and offers no button', async () => {
    const order = await world.given.orderAwaitingCakeMaker();
    await world.handlers.fulfilOrder(postJson('/order/fulfilled', { orderId: order.orderId, code: order.fulfilCode }), lambdaContext());

    const response = await world.handlers.showFulfilPage(getLinkPage('fulfill', order.orderId, order.fulfilCode), lambdaContext());

    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Already marked ready');
    expect(response.body).not.toContain('<form');
  });
});

describe('the delivery page', () => {
  it('GIVEN an order out for delivery WHEN the link is opened THEN it offers a 1 to 5 rating and a length-limited comment', async () => {
    const order = await world.given.orderOutForDelivery();

    const response = await world.handlers.showDeliveryPage(getLinkPage('delivered', order.orderId, order.deliveredCode), lambdaContext());

    expect(response.statusCode).toBe(200);
    const body = response.body ?? '';
    for (const rating of [1, 2, 3, 4, 5]) {
      expect(body).toContain(`<input type="radio" id="rating-${rating}" name="rating" value="${rating}">`);
      expect(body).toContain(`<label for="rating-${rating}">`);
    }
    expect(body).toMatch(/<label for="comment">[^<]+<\/label>\s*<textarea id="comment" name="comment" maxlength="1000"/);
    expect(body).toContain(`action="${publicBaseUrl}/order/delivered"`);
  });

  it('GIVEN the confirmation time has passed WHEN the customer opens the link THEN a 410 page says it expired', async () => {
    const order = await world.given.orderOutForDelivery();
    await world.handlers.setOrderStatus(taskEvent(order.orderId, { status: 'DELIVERED_UNCONFIRMED' as const }), lambdaContext());

    const response = await world.handlers.showDeliveryPage(getLinkPage('delivered', order.orderId, order.deliveredCode), lambdaContext());

    expect(response.statusCode).toBe(410);
  });

  it('GIVEN an order not yet out for delivery WHEN a delivery link with a wrong code is opened THEN it answers 403', async () => {
    const order = await world.given.orderAwaitingCakeMaker();

    expect((await world.handlers.showDeliveryPage(getLinkPage('delivered', order.orderId, wrongCode), lambdaContext())).statusCode).toBe(403);
  });
});

describe('the cancel page', () => {
  it('GIVEN a placed order WHEN the cancel link is opened THEN it shows an order summary and a cancel button', async () => {
    const order = await world.given.confirmedOrder();

    const response = await world.handlers.showCancelPage(getLinkPage('cancel', order.orderId, order.cancelCode), lambdaContext());

    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Lemon drizzle cake');
    expect(response.body).toContain(`action="${publicBaseUrl}/order/cancel"`);
    expect(response.body).toContain('Cancel my order');
  });

  it('GIVEN a fulfilled order WHEN the cancel link is opened THEN a 409 page says it is too late', async () => {
    const order = await world.given.orderAwaitingCakeMaker();
    await world.handlers.fulfilOrder(postJson('/order/fulfilled', { orderId: order.orderId, code: order.fulfilCode }), lambdaContext());

    const response = await world.handlers.showCancelPage(getLinkPage('cancel', order.orderId, order.cancelCode), lambdaContext());

    expect(response.statusCode).toBe(409);
    expect(response.body).toContain('Too late to cancel');
  });
});

describe('pages are read-only', () => {
  it('GIVEN an order at each step WHEN every page is opened THEN the stored order is unchanged and nobody is called or emailed', async () => {
    const order = await world.given.orderOutForDelivery();
    const before = await storedOrder(world.shop, order.orderId);
    world.shop.sfn.reset();
    world.shop.ses.reset();

    await world.handlers.showFulfilPage(getLinkPage('fulfill', order.orderId, order.fulfilCode), lambdaContext());
    await world.handlers.showCancelPage(getLinkPage('cancel', order.orderId, order.cancelCode), lambdaContext());
    await world.handlers.showDeliveryPage(getLinkPage('delivered', order.orderId, order.deliveredCode), lambdaContext());
    await world.handlers.getOrder(getOrder(order.orderId), lambdaContext());
    await world.handlers.getOrder(getOrder(order.orderId, 'text/html'), lambdaContext());

    expect(await storedOrder(world.shop, order.orderId)).toEqual(before);
    expect(world.shop.sfn.calls()).toHaveLength(0);
    expect(world.shop.ses.calls()).toHaveLength(0);
  });
});

describe('escaping', () => {
  it('GIVEN a hostile name, message and address WHEN the cake maker page is rendered THEN every value is escaped', async () => {
    const order = await world.given.orderAwaitingCakeMaker(hostile);

    const body = (await world.handlers.showFulfilPage(getLinkPage('fulfill', order.orderId, order.fulfilCode), lambdaContext())).body ?? '';

    expect(body).not.toContain('<script>alert');
    expect(body).not.toContain('<img src=x');
    expect(body).not.toContain('<b>Bold</b>');
    expect(body).toContain('&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt; Mallory');
    expect(body).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(body).toContain('1 &lt;b&gt;Bold&lt;/b&gt; Street &amp; &#39;Quotes&#39; Lane');
  });

  it('GIVEN a hostile name and message WHEN the emails are sent THEN their HTML versions escape them', async () => {
    await world.given.orderOutForDelivery(hostile);

    const htmlBodies = sentEmails(world.shop).map((email) => email.html);

    expect(htmlBodies.length).toBeGreaterThanOrEqual(3);
    for (const body of htmlBodies) {
      expect(body).not.toContain('<script>alert');
      expect(body).not.toContain('<img src=x');
      expect(body).not.toContain('<b>Bold</b>');
    }
    expect(htmlBodies.join('')).toContain('&lt;script&gt;');
  });
});

describe('security headers', () => {
  const expectedHeaders = {
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  };

  it('GIVEN any HTML answer (form, error, status page, form-post result) WHEN it is returned THEN it carries the security headers', async () => {
    const order = await world.given.orderAwaitingCakeMaker();
    const responses = [
      await world.handlers.showFulfilPage(getLinkPage('fulfill', order.orderId, order.fulfilCode), lambdaContext()),
      await world.handlers.showCancelPage(getLinkPage('cancel', order.orderId, wrongCode), lambdaContext()),
      await world.handlers.showDeliveryPage(getLinkPage('delivered', unknownOrderId, wrongCode), lambdaContext()),
      await world.handlers.getOrder(getOrder(order.orderId, 'text/html'), lambdaContext()),
      await world.handlers.fulfilOrder(postForm('/order/fulfilled', { orderId: order.orderId, code: wrongCode }), lambdaContext()),
    ];

    for (const response of responses) {
      expect(response.headers).toMatchObject(expectedHeaders);
      const csp = String(response.headers?.['Content-Security-Policy']);
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("form-action 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
    }
  });

  it('GIVEN a page WHEN its inline style is hashed THEN the CSP allows exactly that style and no script', async () => {
    const order = await world.given.confirmedOrder();

    const response = await world.handlers.showCancelPage(getLinkPage('cancel', order.orderId, order.cancelCode), lambdaContext());

    const style = /<style>([\s\S]*?)<\/style>/.exec(response.body ?? '')?.[1] ?? '';
    const hash = createHash('sha256').update(style).digest('base64');
    const csp = String(response.headers?.['Content-Security-Policy']);
    expect(csp).toContain(`style-src 'sha256-${hash}'`);
    expect(csp).not.toContain('script-src');
    expect(response.body).not.toMatch(/<script|\sstyle="|src="http/);
  });

  it('GIVEN a page WHEN it is rendered THEN it declares its language and fits a phone screen', async () => {
    const order = await world.given.confirmedOrder();

    const body = (await world.handlers.showCancelPage(getLinkPage('cancel', order.orderId, order.cancelCode), lambdaContext())).body ?? '';

    expect(body).toContain('<html lang="en">');
    expect(body).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(body).toContain(':focus-visible');
  });
});

describe('GET /order/{orderId}', () => {
  it('GIVEN an order out for delivery WHEN it is read as JSON THEN it has the status and timeline but no address, email, code or token', async () => {
    const order = await world.given.orderOutForDelivery();

    const response = await world.handlers.getOrder(getOrder(order.orderId), lambdaContext());

    expect(response.statusCode).toBe(200);
    const body = JSON.parse(response.body ?? '{}') as { status: string; timeline: { status: string }[] };
    expect(body.status).toBe('OUT_FOR_DELIVERY');
    expect(body.timeline.map((entry) => entry.status)).toEqual(['PLACED', 'FULFILLED', 'OUT_FOR_DELIVERY']);
    for (const secret of ['ada@example.com', 'St James', order.cancelCode, order.fulfilCode, order.deliveredCode, order.fulfilToken, order.deliveryToken, 'CodeHashes', 'TaskToken']) {
      expect(response.body).not.toContain(secret);
    }
  });

  it('GIVEN an order WHEN a browser asks for text/html THEN an order status page shows the timeline', async () => {
    const order = await world.given.orderAwaitingCakeMaker();
    await world.handlers.fulfilOrder(postJson('/order/fulfilled', { orderId: order.orderId, code: order.fulfilCode }), lambdaContext());

    const response = await world.handlers.getOrder(getOrder(order.orderId, 'text/html,application/xhtml+xml'), lambdaContext());

    expect(response.statusCode).toBe(200);
    expect(response.headers?.['Content-Type']).toMatch(/^text\/html/);
    expect(response.body).toContain('<ol class="timeline"');
    expect(response.body).toContain('Cake ready');
    expect(response.body).toContain('Order placed');
  });

  it('GIVEN no such order WHEN it is read THEN it answers 404', async () => {
    expect((await world.handlers.getOrder(getOrder(unknownOrderId), lambdaContext())).statusCode).toBe(404);
  });
});
