import { OrderNotFound } from './errors';
import { newLinkCode } from './link-codes';
import type { LinkStep } from './order';
import type { OrderRepository } from './order-repository';

/** The page each step's link opens (infra/routes.ts); the fulfil route keeps the seed API's spelling. */
const linkPage = { cancel: 'cancel', fulfil: 'fulfill', delivered: 'delivered' } as const satisfies Record<LinkStep, string>;

/**
 * A new link for one step of an order. Only the code's hash is stored; the code itself exists only in the
 * returned URL, which goes into one email. Earlier links for the step stay valid.
 */
export async function issueLink(orders: OrderRepository, publicBaseUrl: string, orderId: string, step: LinkStep): Promise<string> {
  const { code, hash } = newLinkCode();
  if (!(await orders.addLinkCodeHash(orderId, step, hash))) throw new OrderNotFound(`Order ${orderId} does not exist`);
  return `${publicBaseUrl}/order/${encodeURIComponent(orderId)}/${linkPage[step]}?code=${encodeURIComponent(code)}`;
}
