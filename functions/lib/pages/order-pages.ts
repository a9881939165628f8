import type { FieldError } from '../http';
import { html, SafeHtml } from '../html';
import type { Outcome } from '../link-outcomes';
import type { LinkStep, Order, OrderSummary } from '../order';
import { cakeName, firstName, statusLabels } from '../order';
import { limits } from '../validation';
import type { Page } from './layout';

const formActions: Record<LinkStep, string> = {
  fulfil: '/order/fulfilled',
  cancel: '/order/cancel',
  delivered: '/order/delivered',
};

function details(rows: [string, string | number | SafeHtml][]): SafeHtml {
  return html`<dl>${rows.map(([label, value]) => html`<dt>${label}</dt><dd>${typeof value === 'number' ? String(value) : value}</dd>`)}</dl>`;
}

/** An ISO timestamp as people read it: to the minute, in UTC, since the pages cannot know the reader's zone. */
function readableTime(iso: string): string {
  return `${iso.replace('T', ' ').slice(0, 16)} UTC`;
}

/** What every link page shows about the order: enough to recognise it, nothing the link's holder may not see. */
function orderRows(order: Order): [string, string | number][] {
  return [
    ['Order', order.orderId],
    ['Cake', cakeName(order.productId)],
    ['Quantity', order.quantity],
    ['Message on the cake', order.message ?? '(none)'],
  ];
}

function hiddenFields(order: Order, code: string): SafeHtml {
  return html`<input type="hidden" name="orderId" value="${order.orderId}"><input type="hidden" name="code" value="${code}">`;
}

function ratingFieldset(): SafeHtml {
  const options = [1, 2, 3, 4, 5].map(
    (rating) => html`<label for="rating-${rating}"><input type="radio" id="rating-${rating}" name="rating" value="${rating}"> ${rating}</label>`,
  );
  return html`<fieldset>
<legend>How was your cake? (optional)</legend>
<p class="hint" id="rating-hint">1 is poor, 5 is excellent.</p>
<div class="ratings" role="radiogroup" aria-describedby="rating-hint">${options}</div>
</fieldset>
<p><label for="comment">Comment (optional, up to ${limits.comment} characters)</label>
<textarea id="comment" name="comment" maxlength="${limits.comment}" rows="4"></textarea></p>`;
}

/** The page behind an email link: what the order is and one button that posts the step. */
export function linkFormPage(step: LinkStep, order: Order, code: string, publicBaseUrl: string): Page {
  const action = `${publicBaseUrl}${formActions[step]}`;
  if (step === 'fulfil') {
    return {
      statusCode: 200,
      title: `Bake ${order.quantity} × ${cakeName(order.productId)}`,
      content: html`<p>Please bake this order. When the cake is ready for the delivery company, press the button.</p>
${details([...orderRows(order), ['Delivery address', order.address], ['Customer', order.name]])}
<form method="post" action="${action}">${hiddenFields(order, code)}<button type="submit">Mark the cake ready</button></form>`,
    };
  }
  if (step === 'cancel') {
    return {
      statusCode: 200,
      title: 'Cancel your order?',
      content: html`<p>Hello ${firstName(order.name)}, you can cancel this order until the cake maker has finished it.</p>
${details([...orderRows(order), ['Ordered', readableTime(order.createdAt)]])}
<form method="post" action="${action}">${hiddenFields(order, code)}<button type="submit">Cancel my order</button></form>
<p class="hint">If you want to keep your order, just close this page.</p>`,
    };
  }
  return {
    statusCode: 200,
    title: 'Has your cake arrived?',
    content: html`<p>Hello ${firstName(order.name)}, please confirm that your cake was delivered.</p>
${details(orderRows(order))}
<form method="post" action="${action}">${hiddenFields(order, code)}${ratingFieldset()}<button type="submit">Confirm delivery</button></form>`,
  };
}

const nextSteps: Partial<Record<number, string>> = {
  403: 'If you have several emails about this order, the link in the most recent one works.',
  404: 'Links are long; some email programs cut them in two. Copy the whole link into your browser.',
};

export function outcomePage(outcome: Outcome, orderStatusUrl?: string): Page {
  const hint = nextSteps[outcome.statusCode];
  return {
    statusCode: outcome.statusCode,
    title: outcome.title,
    content: html`<p class="notice" role="status">${outcome.message}</p>
${hint ? html`<p>${hint}</p>` : ''}
${orderStatusUrl && outcome.statusCode !== 404 && outcome.statusCode !== 403 ? html`<p><a href="${orderStatusUrl}">See the order's progress</a></p>` : ''}`,
  };
}

export function invalidRequestPage(statusCode: number, message: string, errors: FieldError[] = []): Page {
  return {
    statusCode,
    title: 'Something is wrong with this request',
    content: html`<p class="notice" role="alert">${message}</p>
${errors.length > 0 ? html`<ul>${errors.map((error) => html`<li>${error.message}</li>`)}</ul>` : ''}
<p>Please use the whole link from your email and try again.</p>`,
  };
}

export interface OrderStatusOptions {
  /** The ops console's base URL, where there is one (the local stack's `/ops`); the execution ARN then links there. */
  opsConsoleUrl?: string;
}

/** The execution ARN, linked to its page in the ops console when there is one; an ARN's last field is the execution's name. */
function executionRow(executionArn: string, opsConsoleUrl: string | undefined): [string, string | SafeHtml] {
  const name = executionArn.split(':').at(-1) ?? '';
  const value = opsConsoleUrl && name ? html`<a href="${opsConsoleUrl}/executions/${encodeURIComponent(name)}">${executionArn}</a>` : executionArn;
  return ['Execution (for ops)', value];
}

export function orderStatusPage(summary: OrderSummary, { opsConsoleUrl }: OrderStatusOptions = {}): Page {
  const entries = [...summary.timeline].reverse();
  return {
    statusCode: 200,
    title: `Order status: ${statusLabels[summary.status]}`,
    content: html`${details([
      ['Order', summary.orderId],
      ['Cake', summary.cake.name],
      ['Quantity', summary.quantity],
      ['Status', statusLabels[summary.status]],
      ...(summary.executionArn ? [executionRow(summary.executionArn, opsConsoleUrl)] : []),
    ])}
<h2>Timeline</h2>
<ol class="timeline" reversed>${entries.map(
      (entry) =>
        html`<li><strong>${statusLabels[entry.status]}</strong> <time datetime="${entry.at}">${readableTime(entry.at)}</time>${entry.note ? html`<br><span class="hint">${entry.note}</span>` : ''}</li>`,
    )}</ol>`,
  };
}

export function orderNotFoundPage(): Page {
  return {
    statusCode: 404,
    title: 'Order not found',
    content: html`<p class="notice">There is no order with this id. Please check the link.</p>`,
  };
}
