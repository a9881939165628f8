import type { Context } from 'aws-lambda';
import { settings } from '../infra/settings';
import { tables } from '../infra/tables';
import { asWorkflowError } from './lib/aws-errors';
import { cakeMakerEmailStep } from './lib/cake-maker-request';
import { commonEnv, readConfig } from './lib/config';
import { Mailer } from './lib/email';
import { OrderNotFound } from './lib/errors';
import { feedbackNotice } from './lib/feedback-notice';
import { logger, startInvocationLog } from './lib/logger';
import { noticeStep } from './lib/notices';
import type { Order } from './lib/order';
import { isOrderId, isUnsentMessage, unsentMessages, type UnsentMessage } from './lib/order';
import { orderConfirmationStep } from './lib/order-confirmation';
import { OrderRepository } from './lib/order-repository';
import { partnerNoticeStep } from './lib/partner-notice';
import { loadOrder } from './lib/task';

const config = readConfig(
  {
    ordersTableName: tables.orders.env,
    idempotencyTableName: tables.idempotency.env,
    publicBaseUrl: commonEnv.publicBaseUrl,
    senderEmail: settings.senderEmail.env,
    cakeMakerEmail: settings.cakeMakerEmail.env,
    customerServiceEmail: settings.customerServiceEmail.env,
  },
  { customerServiceWebhookUrl: settings.customerServiceWebhookUrl.env, webhookSecretArn: commonEnv.webhookSecretArn },
);
const orders = new OrderRepository(config.ordersTableName);
const mailer = new Mailer(config.senderEmail);

const notices = noticeStep({ mailer, cakeMakerEmail: config.cakeMakerEmail, idempotencyTableName: config.idempotencyTableName });

// The very steps the workflow runs, with the same idempotency records: a message that did go out after all
// (its answer was lost) is not sent twice.
const steps = {
  orderConfirmation: orderConfirmationStep({ orders, mailer, publicBaseUrl: config.publicBaseUrl, idempotencyTableName: config.idempotencyTableName }),
  reminder: cakeMakerEmailStep('remind', {
    orders,
    mailer,
    cakeMakerEmail: config.cakeMakerEmail,
    publicBaseUrl: config.publicBaseUrl,
    idempotencyTableName: config.idempotencyTableName,
  }),
  feedback: partnerNoticeStep(feedbackNotice({ ...config, orders })),
  cancellationConfirmation: {
    run: (key: { orderId: string }, order: Order) => notices.run({ orderId: key.orderId, notice: 'cancellationConfirmed' }, order),
    registerContext: notices.registerContext,
  },
} satisfies Record<UnsentMessage, { run: (key: { orderId: string }, order: Order) => Promise<unknown>; registerContext: (context?: Context) => void }>;

export interface ResendUnsentMessageEvent {
  orderId: string;
  message: UnsentMessage;
}

export interface ResendUnsentMessageResult {
  orderId: string;
  message: UnsentMessage;
  /** `sent` now; `notUnsent` when nothing was waiting (a repeat); `notNeeded` for a reminder once the cake maker answered. */
  outcome: 'sent' | 'notUnsent' | 'notNeeded';
}

/** Ops re-send a message the workflow recorded as not sent. Idempotent: a repeat sends nothing more. */
export const handler = async (event: ResendUnsentMessageEvent, context?: Context): Promise<ResendUnsentMessageResult> => {
  startInvocationLog(context, { orderId: event.orderId });
  if (!isOrderId(event.orderId)) throw new OrderNotFound('The request has no valid orderId');
  if (!isUnsentMessage(event.message)) throw new Error(`Unknown message ${JSON.stringify(event.message)}`);
  const { orderId, message } = event;
  const result = (outcome: ResendUnsentMessageResult['outcome']) => {
    logger.info('Unsent message handled', { message, outcome });
    return { orderId, message, outcome };
  };
  try {
    const order = await loadOrder(orders, orderId);
    if (!unsentMessages(order).includes(message)) return result('notUnsent');
    if (message === 'reminder' && order.status !== 'PLACED') {
      await orders.clearUnsent(orderId, message);
      return result('notNeeded');
    }
    const step = steps[message];
    step.registerContext(context);
    await step.run({ orderId }, order);
    await orders.clearUnsent(orderId, message);
    return result('sent');
  } catch (error) {
    throw asWorkflowError(error, 'A service the re-send needs');
  }
};
