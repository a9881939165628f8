import { anEmailArrives, theWorkflowWaitsIn } from './then';
import type { Shop } from './shop';
import { anOrderRequest, customerPlacesOrder, json, personFollowsLinkAndSubmits, type OrderRequest } from './when';
import { linkTo } from '../support/mailbox';

export interface PlacedOrder {
  orderId: string;
  request: OrderRequest;
  cancelLink: string;
}

export interface OrderAwaitingCakeMaker extends PlacedOrder {
  fulfilLink: string;
}

export interface OrderOnItsWay extends OrderAwaitingCakeMaker {
  deliveredLink: string;
}

export async function aPlacedOrder(shop: Shop, overrides: Partial<OrderRequest> = {}): Promise<PlacedOrder> {
  const request = anOrderRequest(overrides);
  const reply = await customerPlacesOrder(shop, request);
  if (reply.status !== 201 && reply.status !== 200) throw new Error(`POST /order answered ${reply.status}: ${reply.text}`);
  const { orderId } = json<{ orderId: string }>(reply);
  const received = await anEmailArrives(shop, { to: request.email, subject: 'We have your order', mentioning: orderId });
  return { orderId, request, cancelLink: linkTo(received, 'cancel') };
}

export async function anOrderAwaitingTheCakeMaker(shop: Shop, overrides: Partial<OrderRequest> = {}): Promise<OrderAwaitingCakeMaker> {
  const placed = await aPlacedOrder(shop, overrides);
  const request = await anEmailArrives(shop, { to: shop.people.cakeMaker, subject: 'New order to bake', mentioning: placed.orderId });
  await theWorkflowWaitsIn(shop, placed.orderId, 'Ask Cake Maker');
  return { ...placed, fulfilLink: linkTo(request, 'fulfill') };
}

export async function anOrderOnItsWay(shop: Shop, overrides: Partial<OrderRequest> = {}): Promise<OrderOnItsWay> {
  const waiting = await anOrderAwaitingTheCakeMaker(shop, overrides);
  await personFollowsLinkAndSubmits(waiting.fulfilLink);
  const onItsWay = await anEmailArrives(shop, { to: waiting.request.email, subject: 'is on its way', mentioning: waiting.orderId });
  await theWorkflowWaitsIn(shop, waiting.orderId, 'Await Delivery Confirmation');
  return { ...waiting, deliveredLink: linkTo(onItsWay, 'delivered') };
}
