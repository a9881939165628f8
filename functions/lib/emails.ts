import type { EmailMessage } from './email';
import { html, type SafeHtml } from './html';
import type { Order } from './order';
import { cakeName, firstName } from './order';
import { palette } from './pages/layout';

export function statusUrl(publicBaseUrl: string, orderId: string): string {
  return `${publicBaseUrl}/order/${encodeURIComponent(orderId)}`;
}

function link(url: string): SafeHtml {
  return html`<a href="${url}" style="color:${palette.brandDark}">${url}</a>`;
}

/**
 * Email programs show the HTML part inside their own page, dropping the document's <head> and <body>
 * attributes, so every style sits inline on elements inside the body. Details are stacked, label above value,
 * because the cake maker often reads them on a phone. Only URLs the shop built become links: a customer's name
 * or comment that looks like a URL stays plain text, so it can never put a live link in a staff inbox.
 */
function linkified(paragraph: string, shopLinks: readonly string[]): SafeHtml[] {
  const url = shopLinks.find((candidate) => paragraph.includes(candidate));
  if (url === undefined) return [html`${paragraph}`];
  const at = paragraph.indexOf(url);
  return [html`${paragraph.slice(0, at)}`, link(url), ...linkified(paragraph.slice(at + url.length), shopLinks)];
}

interface Section {
  subject: string;
  greeting: string;
  paragraphs: string[];
  /** URLs in the paragraphs that the shop built, shown as links. */
  shopLinks?: string[];
  details?: [string, string][];
  action?: { label: string; url: string };
  closing?: string;
}

function compose(section: Section): EmailMessage {
  const details = section.details ?? [];
  const text = [
    section.greeting,
    '',
    ...section.paragraphs.flatMap((paragraph) => [paragraph, '']),
    ...details.map(([label, value]) => `${label}: ${value.replace(/\n/g, '\n  ')}`),
    ...(details.length > 0 ? [''] : []),
    ...(section.action ? [`${section.action.label}:`, section.action.url, ''] : []),
    section.closing ?? 'The Cake Shop',
  ].join('\n');
  const body = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${section.subject}</title></head>
<body style="margin:0;padding:0;background:${palette.paper}">
<div style="background:${palette.paper};padding:16px 8px;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:${palette.ink}">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border:1px solid ${palette.line};border-radius:8px">
<div style="background:${palette.brand};color:#ffffff;padding:12px 20px;border-radius:7px 7px 0 0;font-size:18px;font-weight:bold">The Cake Shop</div>
<div style="padding:20px">
<p style="margin:0 0 16px">${section.greeting}</p>
${section.paragraphs.map((paragraph) => html`<p style="margin:0 0 16px">${linkified(paragraph, section.shopLinks ?? [])}</p>`)}
${
  details.length > 0
    ? html`<div style="margin:0 0 20px;padding:4px 12px;background:${palette.paper};border:1px solid ${palette.line};border-radius:6px">${details.map(
        ([label, value]) =>
          html`<p style="margin:8px 0"><strong style="display:block">${label}</strong><span style="white-space:pre-line;overflow-wrap:anywhere">${value}</span></p>`,
      )}</div>`
    : ''
}
${
  section.action
    ? html`<p style="margin:0 0 16px"><a href="${section.action.url}" style="display:inline-block;background:${palette.brand};color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:bold">${section.action.label}</a></p>
<p style="margin:0 0 16px;font-size:14px;color:${palette.muted};overflow-wrap:anywhere;word-break:break-all">If the button does not work, copy this link into your browser:<br>${link(section.action.url)}</p>`
    : ''
}
<p style="margin:0">${section.closing ?? 'The Cake Shop'}</p>
</div></div></div>
</body></html>`;
  return { subject: section.subject, text, html: body.value };
}

function cakeDetails(order: Order, withAddress: boolean): [string, string][] {
  return [
    ['Order', order.orderId],
    ['Cake', cakeName(order.productId)],
    ['Quantity', String(order.quantity)],
    ['Message on the cake', order.message ? order.message : '(none)'],
    ...(withAddress ? ([['Delivery address', order.address]] as [string, string][]) : []),
  ];
}

export function orderReceivedEmail(order: Order, cancelUrl: string, orderStatusUrl: string): EmailMessage {
  return compose({
    subject: `We have your order: ${cakeName(order.productId)}`,
    greeting: `Hello ${firstName(order.name)},`,
    paragraphs: [
      `Thank you for ordering ${order.quantity} × ${cakeName(order.productId)}. We have passed your order to our cake maker and will email you when it is on its way.`,
      `You can follow your order at ${orderStatusUrl}`,
      'Changed your mind? You can cancel until the cake maker has finished your cake, using the link below.',
    ],
    shopLinks: [orderStatusUrl],
    details: cakeDetails(order, true),
    action: { label: 'Cancel my order', url: cancelUrl },
  });
}

export function cakeMakerRequestEmail(order: Order, fulfilUrl: string, reminder: boolean): EmailMessage {
  const cake = cakeName(order.productId);
  return compose({
    subject: reminder ? `Reminder: please confirm order ${order.orderId} (${cake})` : `New order to bake: ${order.quantity} × ${cake}`,
    greeting: 'Hello,',
    paragraphs: [
      reminder
        ? `This order is still waiting for you. If it is not confirmed soon, it will be cancelled and the customer told.`
        : `A new order has come in. Please bake the cake below.`,
      'When the cake is ready for the delivery company, press the button below to mark it ready.',
    ],
    details: [...cakeDetails(order, true), ['Customer', order.name]],
    action: { label: 'Mark the cake ready', url: fulfilUrl },
  });
}

export function deliveryRequestEmail(order: Order): EmailMessage {
  return compose({
    subject: `Collection and delivery: order ${order.orderId}`,
    greeting: 'Hello,',
    paragraphs: ['A cake is ready for collection from the Cake Shop. Please deliver it to the address below.'],
    details: [...cakeDetails(order, true), ['Customer', order.name]],
  });
}

export function onItsWayEmail(order: Order, deliveredUrl: string): EmailMessage {
  return compose({
    subject: `Your ${cakeName(order.productId)} is on its way`,
    greeting: `Hello ${firstName(order.name)},`,
    paragraphs: [
      `Good news: your ${cakeName(order.productId)} is ready and the delivery company is bringing it to you.`,
      'When it arrives, please confirm delivery with the link below. You can rate your cake from 1 to 5 and leave a comment.',
    ],
    details: cakeDetails(order, true),
    action: { label: 'Confirm delivery', url: deliveredUrl },
  });
}

export function feedbackEmail(order: Order): EmailMessage {
  return compose({
    subject: `Customer feedback for order ${order.orderId}`,
    greeting: 'Hello,',
    paragraphs: [`${order.name} confirmed delivery of their ${cakeName(order.productId)}.`],
    details: [
      ['Order', order.orderId],
      ['Cake', cakeName(order.productId)],
      ['Rating', order.rating === undefined ? 'No rating given' : `${order.rating} out of 5`],
      ['Comment', order.comment ? order.comment : '(none)'],
    ],
  });
}

export function cancelledByCustomerEmail(order: Order): EmailMessage {
  return compose({
    subject: `Cancelled: order ${order.orderId} (${cakeName(order.productId)})`,
    greeting: 'Hello,',
    paragraphs: ['The customer has cancelled this order. Please do not bake it; its link no longer works.'],
    details: [...cakeDetails(order, false), ['Customer', order.name]],
  });
}

export function cancellationConfirmedEmail(order: Order): EmailMessage {
  return compose({
    subject: `You cancelled your order for ${cakeName(order.productId)}`,
    greeting: `Hello ${firstName(order.name)},`,
    paragraphs: ['As you asked, we have cancelled your order, and the cake will not be baked.', 'You are welcome to order again at any time.'],
    details: cakeDetails(order, false),
  });
}

export function cancelledUnfulfilledEmail(order: Order): EmailMessage {
  return compose({
    subject: `Your order for ${cakeName(order.productId)} has been cancelled`,
    greeting: `Hello ${firstName(order.name)},`,
    paragraphs: [
      'We are sorry: our cake maker could not confirm your order in time, so we have cancelled it.',
      'You are welcome to order again at any time.',
    ],
    details: cakeDetails(order, false),
  });
}

export function orderFailedEmail(order: Order): EmailMessage {
  return compose({
    subject: `There was a problem with your order for ${cakeName(order.productId)}`,
    greeting: `Hello ${firstName(order.name)},`,
    paragraphs: [
      'We are sorry: something went wrong on our side and we could not complete your order.',
      'Our team has been told. Please reply to this email if you would like us to look into it.',
    ],
    details: cakeDetails(order, false),
  });
}
