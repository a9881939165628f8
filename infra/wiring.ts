import type { SettingName } from './settings';

/**
 * What a handler may touch. CDK turns each into an IAM grant plus the environment variable that names the
 * resource; the local stack turns each into the same variable pointing at the local resource.
 */
export type Access =
  | 'orders:read' // ORDERS_TABLE_NAME
  | 'orders:write' // ORDERS_TABLE_NAME
  | 'idempotency' // IDEMPOTENCY_TABLE_NAME
  | 'salesView:update' // SALES_VIEW_TABLE_NAME, GetItem and UpdateItem only
  | 'email' // SES SendEmail from SENDER_EMAIL
  | 'workflow:start' // STATE_MACHINE_ARN, states:StartExecution
  | 'workflow:callback' // states:SendTaskSuccess / SendTaskFailure on the order state machine
  | 'webhook:secret' // WEBHOOK_SECRET_ARN, secretsmanager:GetSecretValue
  | 'orderEvents:publish'; // ORDER_EVENT_BUS_ARN, events:PutEvents on the order events bus only

export interface HandlerSpec {
  /** Source file, relative to the repository root. */
  entry: string;
  access: readonly Access[];
  /** Shop settings the handler reads, passed as environment variables. */
  settings?: readonly SettingName[];
  timeoutSeconds?: number;
  /**
   * Its pages link an execution to its page in the ops console where the target has one: the local stack's /ops,
   * through OPS_CONSOLE_URL. AWS has no such console (ops use the Step Functions console), so CDK sets nothing.
   */
  linksToOpsConsole?: true;
}

const emailSettings = ['senderEmail', 'cakeMakerEmail', 'deliveryEmail', 'customerServiceEmail', 'maxSendRate'] as const;

/** Every Lambda handler of the shop, defined once. */
export const handlers = {
  placeOrder: { entry: 'functions/place-order.ts', access: ['orders:write', 'idempotency', 'workflow:start'] },
  getOrder: { entry: 'functions/get-order.ts', access: ['orders:read'], linksToOpsConsole: true },
  showFulfilPage: { entry: 'functions/show-fulfil-page.ts', access: ['orders:read'] },
  fulfilOrder: { entry: 'functions/fulfil-order.ts', access: ['orders:write', 'idempotency', 'workflow:callback'] },
  showDeliveryPage: { entry: 'functions/show-delivery-page.ts', access: ['orders:read'] },
  confirmDelivery: { entry: 'functions/confirm-delivery.ts', access: ['orders:write', 'idempotency', 'workflow:callback'] },
  showCancelPage: { entry: 'functions/show-cancel-page.ts', access: ['orders:read'] },
  cancelOrder: { entry: 'functions/cancel-order.ts', access: ['orders:write', 'idempotency', 'workflow:callback'] },

  sendOrderConfirmation: { entry: 'functions/send-order-confirmation.ts', access: ['orders:write', 'idempotency', 'email'], settings: emailSettings },
  askCakeMaker: { entry: 'functions/ask-cake-maker.ts', access: ['orders:write', 'idempotency', 'email'], settings: emailSettings },
  remindCakeMaker: { entry: 'functions/remind-cake-maker.ts', access: ['orders:write', 'idempotency', 'email'], settings: emailSettings },
  notifyDeliveryCompany: {
    entry: 'functions/notify-delivery-company.ts',
    access: ['orders:write', 'idempotency', 'email', 'webhook:secret'],
    settings: [...emailSettings, 'deliveryWebhookUrl'],
  },
  awaitDeliveryConfirmation: { entry: 'functions/await-delivery-confirmation.ts', access: ['orders:write', 'idempotency', 'email'], settings: emailSettings },
  forwardFeedback: {
    entry: 'functions/forward-feedback.ts',
    access: ['orders:write', 'idempotency', 'email', 'webhook:secret'],
    settings: [...emailSettings, 'customerServiceWebhookUrl'],
  },
  setOrderStatus: { entry: 'functions/set-order-status.ts', access: ['orders:write', 'idempotency'] },
  sendNotice: { entry: 'functions/send-notice.ts', access: ['orders:read', 'idempotency', 'email'], settings: emailSettings },
  recordUnsentMessage: { entry: 'functions/record-unsent-message.ts', access: ['orders:write'] },
  /** Not in the workflow: ops invoke it (the local /ops console, or `aws lambda invoke`) to re-send what was not sent. */
  resendUnsentMessage: {
    entry: 'functions/resend-unsent-message.ts',
    access: ['orders:write', 'idempotency', 'email', 'webhook:secret'],
    settings: [...emailSettings, 'customerServiceWebhookUrl'],
  },
  /** Not in the workflow: ops invoke it (the local /ops console, or `aws lambda invoke`) to re-publish an event not published. */
  republishOrderEvent: { entry: 'functions/republish-order-event.ts', access: ['orders:write', 'orderEvents:publish'] },
  /** Not in the workflow: the target of the sales view's subscription to the order events bus. */
  updateSalesView: { entry: 'functions/update-sales-view.ts', access: ['salesView:update'] },
  /** Not in the workflow: the target of the OrderStuck subscription to Step Functions' status changes on the default bus. */
  publishOrderStuck: { entry: 'functions/publish-order-stuck.ts', access: ['idempotency', 'orderEvents:publish'] },
} as const satisfies Record<string, HandlerSpec>;

export type HandlerName = keyof typeof handlers;

/** `${Placeholder}` in statemachines/order.asl.json -> the handler whose ARN fills it. */
export const functionPlaceholders = {
  SendOrderConfirmationFunctionArn: 'sendOrderConfirmation',
  AskCakeMakerFunctionArn: 'askCakeMaker',
  RemindCakeMakerFunctionArn: 'remindCakeMaker',
  NotifyDeliveryCompanyFunctionArn: 'notifyDeliveryCompany',
  AwaitDeliveryConfirmationFunctionArn: 'awaitDeliveryConfirmation',
  ForwardFeedbackFunctionArn: 'forwardFeedback',
  SetOrderStatusFunctionArn: 'setOrderStatus',
  SendNoticeFunctionArn: 'sendNotice',
  RecordUnsentMessageFunctionArn: 'recordUnsentMessage',
} as const satisfies Record<string, HandlerName>;

/**
 * `${Placeholder}` in statemachines/order.asl.json for the order events bus: CDK fills it with the bus's ARN, beside
 * the grant of events:PutEvents on it.
 */
export const eventBusPlaceholder = 'OrderEventBusArn';

/** `${Placeholder}` in statemachines/order.asl.json -> the setting whose value fills it. */
export const settingPlaceholders = {
  ReminderAfterSeconds: 'reminderAfterSeconds',
  CancelAfterSeconds: 'cancelAfterSeconds',
  DeliveryConfirmationTimeoutSeconds: 'deliveryConfirmationTimeoutSeconds',
  RetryIntervalSeconds: 'retryIntervalSeconds',
  RetryBackoffRate: 'retryBackoffRate',
  RetryMaxDelaySeconds: 'retryMaxDelaySeconds',
  RetryMaxAttempts: 'retryMaxAttempts',
  ThrottleRetryIntervalSeconds: 'throttleRetryIntervalSeconds',
  ThrottleRetryMaxDelaySeconds: 'throttleRetryMaxDelaySeconds',
  ThrottleRetryMaxAttempts: 'throttleRetryMaxAttempts',
} as const satisfies Record<string, SettingName>;

export const orderStateMachineFile = 'statemachines/order.asl.json';
