import { products } from '../../../functions/lib/catalogue';
import type { FieldError } from '../../../functions/lib/http';
import { limits } from '../../../functions/lib/validation';
import { html, page, type SafeHtml } from './html';

export const orderFields = ['name', 'email', 'address', 'productId', 'quantity', 'message'] as const;
export type OrderField = (typeof orderFields)[number];
export type OrderForm = Record<OrderField, string>;

const emptyForm: OrderForm = { name: '', email: '', address: '', productId: products[0].id, quantity: '1', message: '' };

/**
 * The key of one order form, carried in the form page's own address (`/?key=…`) so that Back returns to the same
 * key: submitting again after Back replays the order already placed instead of placing a second one.
 */
const formKeyPattern = /^[A-Za-z0-9-]{16,64}$/;

export function isFormKey(value: string | null | undefined): value is string {
  return typeof value === 'string' && formKeyPattern.test(value);
}

export const formPath = (key: string): string => `/?key=${encodeURIComponent(key)}`;

export const orderPlacedPath = (orderId: string): string => `/order-placed/${encodeURIComponent(orderId)}`;

export function readOrderForm(body: URLSearchParams): { form: OrderForm; idempotencyKey: string } {
  const form = { ...emptyForm };
  for (const field of orderFields) form[field] = body.get(field) ?? '';
  return { form, idempotencyKey: body.get('idempotencyKey') ?? '' };
}

/** The JSON body `POST /order` takes; quantity stays text when it is not a whole number so the API names the field. */
export function toOrderRequest(form: OrderForm): Record<string, unknown> {
  const quantity = /^\s*\d+\s*$/.test(form.quantity) ? Number(form.quantity) : form.quantity;
  return {
    name: form.name,
    email: form.email,
    address: form.address,
    productId: form.productId,
    quantity,
    ...(form.message.trim() ? { message: form.message } : {}),
  };
}

const labels: Record<OrderField, string> = {
  name: 'Your name',
  email: 'Email address',
  address: 'Delivery address',
  productId: 'Cake',
  quantity: 'How many',
  message: 'Message on the cake (optional)',
};

/** What the page calls each field in an error: its label, without "(optional)". */
const errorNames: Record<OrderField, string> = { ...labels, message: 'Message on the cake' };

/**
 * The API's errors name its JSON fields (`productId`, `quantity`), which this page never shows; the page says them
 * in the words of its own labels. The API's JSON errors stay as they are for the API's callers.
 */
export function inPageWords(error: FieldError): string {
  if (error.field === 'productId' && / is not a cake we sell\.$/.test(error.message)) return 'Cake: choose one of the cakes in the list.';
  if (error.field === 'quantity') return `How many: enter a whole number from ${limits.minQuantity} to ${limits.maxQuantity}.`;
  if (error.field === 'Idempotency-Key') return 'This form has already placed an order with other details. To order another cake, start a new order.';
  const field = error.field as OrderField;
  if (Object.hasOwn(errorNames, field) && error.message.startsWith(`${field} `)) return `${errorNames[field]}${error.message.slice(field.length)}`;
  return error.message;
}

export interface ShopView {
  /** The Idempotency-Key every submission of this form sends; it is also in the page's address. */
  idempotencyKey: string;
  form?: OrderForm;
  errors?: readonly FieldError[];
  /** A problem that belongs to no field, such as the API being down. */
  problem?: string;
}

function fieldError(field: OrderField, errors: readonly FieldError[]): SafeHtml | string {
  const messages = errors.filter((error) => error.field === field).map(inPageWords);
  return messages.length > 0 ? html`<p class="field-error" id="${field}-error">${messages.join(' ')}</p>` : '';
}

function describedBy(field: OrderField, errors: readonly FieldError[]): SafeHtml | string {
  return errors.some((error) => error.field === field) ? html` aria-invalid="true" aria-describedby="${field}-error"` : '';
}

/**
 * The demo shop: a plain form posted back to the console, which calls `POST /order` with JSON, so ordering
 * works without JavaScript. Every submission of one form sends the same Idempotency-Key, so a double click, a
 * reload or Back and submit again place one order. A submission the API refused stored nothing under the key,
 * so correcting it and sending again still places the order.
 */
export function shopPage({ idempotencyKey, form = emptyForm, errors = [], problem }: ShopView): SafeHtml {
  const known = new Set<string>(orderFields);
  const summary = [
    ...(problem ? [html`<li>${problem}</li>`] : []),
    ...errors.map((error) =>
      known.has(error.field)
        ? html`<li><a href="#${error.field}">${inPageWords(error)}</a></li>`
        : error.field === 'Idempotency-Key'
          ? html`<li>${inPageWords(error)} <a href="/">Start a new order</a></li>`
          : html`<li>${inPageWords(error)}</li>`,
    ),
  ];
  const body = html`<h1>Order a cake</h1>
${
  summary.length > 0
    ? html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
<h2 id="error-summary-title">Please check your order</h2><ul>${summary}</ul></div>`
    : ''
}
<form class="order-form" method="post" action="${formPath(idempotencyKey)}" novalidate>
<input type="hidden" name="idempotencyKey" value="${idempotencyKey}">
<div class="field"><label for="name">${labels.name}</label>${fieldError('name', errors)}
<input id="name" name="name" value="${form.name}" autocomplete="name" required maxlength="${limits.name}"${describedBy('name', errors)}></div>
<div class="field"><label for="email">${labels.email}</label>${fieldError('email', errors)}
<input id="email" name="email" type="email" value="${form.email}" autocomplete="email" required maxlength="${limits.email}"${describedBy('email', errors)}></div>
<div class="field"><label for="address">${labels.address}</label>${fieldError('address', errors)}
<textarea id="address" name="address" rows="3" autocomplete="street-address" required maxlength="${limits.address}"${describedBy('address', errors)}>${form.address}</textarea></div>
<div class="field"><label for="productId">${labels.productId}</label>${fieldError('productId', errors)}
<select id="productId" name="productId"${describedBy('productId', errors)}>
${products.map((product) => html`<option value="${product.id}"${product.id === form.productId ? html` selected` : ''}>${product.name}</option>`)}
</select></div>
<div class="field"><label for="quantity">${labels.quantity}</label>${fieldError('quantity', errors)}
<input id="quantity" name="quantity" type="number" inputmode="numeric" min="${limits.minQuantity}" max="${limits.maxQuantity}" step="1" value="${form.quantity}" required${describedBy('quantity', errors)}></div>
<div class="field"><label for="message">${labels.message}</label>${fieldError('message', errors)}
<textarea id="message" name="message" rows="2" maxlength="${limits.message}"${describedBy('message', errors)}>${form.message}</textarea></div>
<p><button type="submit">Place order</button></p>
</form>`;
  return page({ title: 'Order a cake — cake shop', body });
}

export interface PlacedOrderView {
  orderId: string;
  cakeName: string;
  quantity: number;
  statusUrl: string;
}

/** The page the shop redirects to after placing an order, so Back, Forward and reload never post the form again. */
export function orderPlacedPage({ orderId, cakeName, quantity, statusUrl }: PlacedOrderView): SafeHtml {
  const body = html`<h1>Thank you for your order</h1>
<p role="status">Your order <strong class="order-id">${orderId}</strong> (${quantity} × ${cakeName}) is placed. We have emailed you a confirmation with a link to cancel it.</p>
<p><a class="button" href="${statusUrl}">See your order's status</a></p>
<p><a href="/">Order another cake</a></p>`;
  return page({ title: 'Order placed — cake shop', body });
}
