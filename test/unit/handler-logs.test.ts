import { getLinkPage, getOrder, postJson } from '../fixtures/api-events';
import { lambdaContext } from '../fixtures/lambda-context';
import { executionArnOf, taskEvent, useTestShop } from '../fixtures/order-journey';

const world = useTestShop();

/** The JSON lines Powertools wrote since `from`, parsed. */
function logLines(from = 0): { raw: string; entry: Record<string, unknown> }[] {
  return world.logs.lines
    .slice(from)
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((raw) => ({ raw, entry: JSON.parse(raw) as Record<string, unknown> }));
}

describe('handler world.logs', () => {
  it('GIVEN one order through every handler WHEN the log lines are read THEN each names that order and its execution, and none holds a contact detail, link code or task token', async () => {
    const customer = { email: 'log.reader@example.org', address: '7 Hidden Mews\nLondon', name: 'Grace Hopper' };
    const order = await world.given.orderOutForDelivery(customer);
    await world.handlers.showFulfilPage(getLinkPage('fulfill', order.orderId, order.fulfilCode), lambdaContext());
    await world.handlers.notifyDeliveryCompany(taskEvent(order.orderId), lambdaContext());
    await world.handlers.showDeliveryPage(getLinkPage('delivered', order.orderId, order.deliveredCode), lambdaContext());
    await world.handlers.confirmDelivery(postJson('/order/delivered', { orderId: order.orderId, code: order.deliveredCode, rating: 5 }), lambdaContext());
    await world.handlers.forwardFeedback(taskEvent(order.orderId), lambdaContext());
    await world.handlers.setOrderStatus(taskEvent(order.orderId, { status: 'COMPLETED' as const }), lambdaContext());
    await world.handlers.showCancelPage(getLinkPage('cancel', order.orderId, order.cancelCode), lambdaContext());
    await world.handlers.cancelOrder(postJson('/order/cancel', { orderId: order.orderId, code: order.cancelCode }), lambdaContext());
    await world.handlers.sendNotice(taskEvent(order.orderId, { notice: 'orderFailed' as const }), lambdaContext());
    await world.handlers.getOrder(getOrder(order.orderId), lambdaContext());

    const lines = logLines();
    const messages = new Set(lines.map(({ entry }) => entry.message));
    for (const expected of ['Order placed', 'Task done', 'Link page requested', 'Link action handled', 'Order status set', 'Order status read']) {
      expect(messages).toContain(expected);
    }
    for (const { raw, entry } of lines) {
      expect(entry).toMatchObject({ orderId: order.orderId, executionName: `order-${order.orderId}` });
      // Ops go from a log line to the execution's history: placement, the status read and every task name it.
      if (['Order placed', 'Task done', 'Order status read'].includes(String(entry.message))) {
        expect(entry).toMatchObject({ executionArn: executionArnOf(order.orderId) });
      }
      for (const secret of [customer.email, 'Hidden Mews', 'Hopper', order.cancelCode, order.fulfilCode, order.deliveredCode, order.fulfilToken, order.deliveryToken]) {
        expect(raw).not.toContain(secret);
      }
    }
  });

  it("GIVEN a warm handler that served one order WHEN its next request names no valid order THEN that request's lines carry no order id", async () => {
    const { orderId } = await world.given.placedOrder();
    await world.handlers.getOrder(getOrder(orderId), lambdaContext());
    const from = world.logs.lines.length;

    await world.handlers.getOrder(getOrder('not-an-order-id'), lambdaContext());

    const lines = logLines(from);
    expect(lines.length).toBeGreaterThan(0);
    for (const { entry } of lines) {
      expect(entry).not.toHaveProperty('orderId');
      expect(entry).not.toHaveProperty('executionName');
    }
  });

});
