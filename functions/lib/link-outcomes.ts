import type { LinkActionResult } from './link-actions';
import type { LinkStep, OrderStatus } from './order';

export interface Outcome {
  statusCode: number;
  title: string;
  message: string;
  /** The field or link part that is wrong, for 4xx answers. */
  field?: 'orderId' | 'code';
  status?: OrderStatus;
  /** Extra response headers, e.g. Retry-After. */
  headers?: Record<string, string>;
}

const done: Record<LinkStep, Pick<Outcome, 'title' | 'message'>> = {
  fulfil: {
    title: 'Thank you: the cake is marked ready',
    message: 'We have told the delivery company to collect it. The customer will get an email when it is on its way.',
  },
  cancel: {
    title: 'Your order is cancelled',
    message: 'We have told our cake maker not to bake it. There is nothing else you need to do.',
  },
  delivered: {
    title: 'Thank you for confirming delivery',
    message: 'Your rating and comment, if you left any, go to our customer service team. Enjoy your cake!',
  },
};

const alreadyDone: Record<LinkStep, Pick<Outcome, 'title' | 'message'>> = {
  fulfil: { title: 'Already marked ready', message: 'This cake was already marked ready. Nothing has changed.' },
  cancel: { title: 'Already cancelled', message: 'This order is already cancelled. Nothing has changed.' },
  delivered: { title: 'Delivery already confirmed', message: 'Delivery of this order was already confirmed. Nothing has changed.' },
};

function notPossible(step: LinkStep, status: OrderStatus, expired: boolean): Pick<Outcome, 'title' | 'message'> {
  if (step === 'fulfil') {
    return expired
      ? { title: 'This order has expired', message: 'It was not confirmed in time, so it was cancelled and the customer told. Please do not bake it.' }
      : status === 'FAILED'
        ? { title: 'This order was stopped', message: 'Something went wrong with this order and it was stopped. Please do not bake it.' }
        : { title: 'This order was cancelled', message: 'The customer cancelled this order. Please do not bake it.' };
  }
  if (step === 'cancel') {
    return status === 'CANCELLED' || status === 'FAILED'
      ? { title: 'This order has ended', message: 'This order could not be completed, so there is nothing to cancel.' }
      : { title: 'Too late to cancel', message: 'The cake maker has already finished your cake, so the order can no longer be cancelled.' };
  }
  if (expired) {
    return { title: 'This link has expired', message: 'The time to confirm this delivery has passed and the order is closed. Thank you all the same.' };
  }
  return status === 'PLACED' || status === 'FULFILLED'
    ? { title: 'Not out for delivery yet', message: 'Your cake is not on its way yet. Please use this link once it has arrived.' }
    : { title: 'Nothing to confirm', message: 'This order was cancelled or stopped, so there is no delivery to confirm.' };
}

/** One wording and one HTTP status per result, shared by the JSON answers and the pages. */
export function describeLinkResult(step: LinkStep, result: LinkActionResult, forPage: boolean): Outcome {
  switch (result.outcome) {
    case 'done':
      return { statusCode: 200, ...done[step], status: result.summary.status };
    case 'alreadyDone':
      return { statusCode: 200, ...alreadyDone[step], status: result.order.status };
    case 'inProgress':
      return {
        statusCode: 200,
        title: 'Already being handled',
        message: 'Your earlier request for this order is being handled right now. Nothing more needs doing.',
        status: result.order.status,
      };
    case 'notFound':
      return {
        statusCode: 404,
        title: 'Order not found',
        message: 'There is no order with this id. Please check that you used the whole link from your email.',
        field: 'orderId',
      };
    case 'wrongCode':
      return {
        statusCode: 403,
        title: 'This link is not valid',
        message: 'The code in this link does not match the order. Please use the whole link from your most recent email.',
        field: 'code',
      };
    case 'notPossible':
      // A page for a link that ran out of time says so with 410; API clients get one conflict status.
      return {
        statusCode: forPage && result.expired ? 410 : 409,
        ...notPossible(step, result.order.status, result.expired),
        status: result.order.status,
      };
    case 'unavailable':
      return {
        statusCode: 503,
        title: 'Please try again in a minute',
        message: 'We could not complete this just now and nothing has changed. Please try again in a minute.',
        headers: { 'Retry-After': '30' },
      };
  }
}
