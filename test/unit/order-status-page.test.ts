import { orderStatusPage } from '../../functions/lib/pages/order-pages';
import type { OrderSummary } from '../../functions/lib/order';

const executionArn = 'arn:aws:states:us-east-1:123456789012:execution:cake-shop-order:order-2b81d932-5e0f-4c1a-9d7e-1f2a3b4c5d6e';
const summary: OrderSummary = {
  orderId: '2b81d932-5e0f-4c1a-9d7e-1f2a3b4c5d6e',
  status: 'PLACED',
  cake: { productId: 'carrot-cake', name: 'Carrot cake' },
  quantity: 1,
  createdAt: '2026-01-01T09:00:00.000Z',
  updatedAt: '2026-01-01T09:00:00.000Z',
  timeline: [{ status: 'PLACED', at: '2026-01-01T09:00:00.000Z' }],
  executionArn,
};

describe('the order status page', () => {
  it('GIVEN an ops console beside the shop WHEN the status page is rendered THEN the execution ARN links to its page there', () => {
    const { content } = orderStatusPage(summary, { opsConsoleUrl: 'http://127.0.0.1:3000/ops' });

    expect(content.value).toContain(
      `<dd><a href="http://127.0.0.1:3000/ops/executions/order-2b81d932-5e0f-4c1a-9d7e-1f2a3b4c5d6e">${executionArn}</a></dd>`,
    );
  });

  it('GIVEN no ops console, as on AWS WHEN the status page is rendered THEN the execution ARN is plain text, for the AWS tools', () => {
    const { content } = orderStatusPage(summary);

    expect(content.value).toContain(`<dd>${executionArn}</dd>`);
    expect(content.value).not.toContain('/ops/');
  });
});
