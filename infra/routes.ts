import type { HandlerName } from './wiring';

export interface Route {
  method: 'GET' | 'POST';
  path: string;
  handler: HandlerName;
}

/** The shop's HTTP API, defined once: CDK builds API Gateway routes from it and the local API emulator serves it. */
export const routes: readonly Route[] = [
  { method: 'POST', path: '/order', handler: 'placeOrder' },
  { method: 'GET', path: '/order/{orderId}', handler: 'getOrder' },
  { method: 'GET', path: '/order/{orderId}/fulfill', handler: 'showFulfilPage' },
  { method: 'POST', path: '/order/fulfilled', handler: 'fulfilOrder' },
  { method: 'GET', path: '/order/{orderId}/delivered', handler: 'showDeliveryPage' },
  { method: 'POST', path: '/order/delivered', handler: 'confirmDelivery' },
  { method: 'GET', path: '/order/{orderId}/cancel', handler: 'showCancelPage' },
  { method: 'POST', path: '/order/cancel', handler: 'cancelOrder' },
];
