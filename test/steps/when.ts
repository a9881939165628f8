import { randomUUID } from 'node:crypto';
import type { OrderDetails } from '../../functions/lib/order';
import type { Shop } from './shop';

/** The body of POST /order, as the shop defines it. */
export type OrderRequest = OrderDetails;

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

async function answer(response: Response): Promise<HttpAnswer> {
  return { status: response.status, headers: response.headers, text: await response.text() };
}

export function json<T = Record<string, unknown>>(reply: HttpAnswer): T {
  return JSON.parse(reply.text) as T;
}

/** A customer with an address of their own, so scenarios sharing one shop never read each other's email. */
export function anOrderRequest(overrides: Partial<OrderRequest> = {}): OrderRequest {
  return {
    name: 'Ada Lovelace',
    email: `ada+${randomUUID().slice(0, 8)}@example.com`,
    address: '12 Analytical Row\nLondon',
    productId: 'carrot-cake',
    quantity: 1,
    message: 'Happy birthday!',
    ...overrides,
  };
}

export async function customerPlacesOrder(shop: Shop, order: OrderRequest, idempotencyKey: string = randomUUID()): Promise<HttpAnswer> {
  return answer(
    await fetch(`${shop.apiUrl}/order`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify(order),
    }),
  );
}

/** What a browser does with a link from an email. */
export async function personOpens(link: string): Promise<HttpAnswer> {
  return answer(await fetch(link, { headers: { accept: 'text/html' } }));
}

export async function customerLooksUpOrder(shop: Shop, orderId: string): Promise<HttpAnswer> {
  return answer(await fetch(`${shop.apiUrl}/order/${encodeURIComponent(orderId)}`, { headers: { accept: 'application/json' } }));
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" };
const decode = (text: string) => text.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_, name: string) => entities[name]);

export interface HtmlForm {
  action: string;
  fields: Record<string, string>;
}

/** The post form on a page, with its hidden fields filled in as a browser would send them. */
export function formOn(html: string): HtmlForm {
  const form = /<form[^>]*method="post"[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`The page has no post form:\n${html}`);
  const fields: Record<string, string> = {};
  for (const input of form[2].matchAll(/<input[^>]*type="hidden"[^>]*>/gi)) {
    const name = /name="([^"]*)"/.exec(input[0]);
    const value = /value="([^"]*)"/.exec(input[0]);
    if (name) fields[decode(name[1])] = decode(value?.[1] ?? '');
  }
  return { action: decode(form[1]), fields };
}

export async function personPostsForm(action: string, fields: Record<string, string>): Promise<HttpAnswer> {
  return answer(
    await fetch(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams(fields).toString(),
    }),
  );
}

/** Opens the link, then presses the page's button, adding what the person filled in. */
export async function personFollowsLinkAndSubmits(link: string, filledIn: Record<string, string> = {}): Promise<HttpAnswer> {
  const page = await personOpens(link);
  if (page.status !== 200) throw new Error(`${link} answered ${page.status}:\n${page.text}`);
  const form = formOn(page.text);
  return personPostsForm(form.action, { ...form.fields, ...filledIn });
}

/** The link action as JSON, as a script or the demo shop would call it. */
export async function postLinkAction(shop: Shop, path: '/order/fulfilled' | '/order/delivered' | '/order/cancel', body: Record<string, unknown>): Promise<HttpAnswer> {
  return answer(
    await fetch(`${shop.apiUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  );
}

/** The order id and link code a link from an email carries. */
export function linkParts(link: string): { orderId: string; code: string } {
  const url = new URL(link);
  const orderId = decodeURIComponent(url.pathname.split('/')[2] ?? '');
  return { orderId, code: url.searchParams.get('code') ?? '' };
}
