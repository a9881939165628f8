import { feedbackEmail, orderReceivedEmail } from '../../functions/lib/emails';
import type { Order } from '../../functions/lib/order';

const order: Order = {
  orderId: '6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
  status: 'DELIVERED',
  createdAt: '2026-11-21T10:00:00.000Z',
  updatedAt: '2026-11-21T12:00:00.000Z',
  timeline: [],
  name: 'https://evil.example/login Mallory',
  email: 'mallory@example.com',
  address: '1 Side Street',
  productId: 'carrot-cake',
  quantity: 1,
  comment: 'Visit https://evil.example/prize now',
  rating: 1,
};

describe('links in emails', () => {
  it('GIVEN a customer whose name and comment look like URLs WHEN customer service gets the feedback email THEN neither becomes a link', () => {
    const email = feedbackEmail(order);

    expect(email.html).toContain('https://evil.example/login');
    expect(email.html).not.toMatch(/href="https:\/\/evil\.example/);
  });

  it('GIVEN the order status URL the shop built WHEN the customer gets the order received email THEN that URL is a link', () => {
    const statusUrl = `https://shop.example.com/order/${order.orderId}`;

    const email = orderReceivedEmail(order, 'https://shop.example.com/order/x/cancel?code=c', statusUrl);

    expect(email.html).toContain(`href="${statusUrl}"`);
    expect(email.html).not.toMatch(/href="https:\/\/evil\.example/);
  });
});
