import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { statusUrl } from './emails';
import type { HttpResult } from './http';
import { json, jsonProblem, parseBody } from './http';
import { isWellFormedLinkCode } from './link-codes';
import type { LinkActionDependencies } from './link-actions';
import { checkLink, createLinkAction } from './link-actions';
import { describeLinkResult } from './link-outcomes';
import { logger, startInvocationLog } from './logger';
import type { LinkStep } from './order';
import { executionNameFor, isOrderId } from './order';
import type { OrderRepository } from './order-repository';
import { renderPage } from './pages/layout';
import { invalidRequestPage, linkFormPage, outcomePage } from './pages/order-pages';
import { validateLinkAction } from './validation';

export interface LinkPageDependencies {
  orders: OrderRepository;
  publicBaseUrl: string;
}

/** GET page behind an email link. It only reads: the change happens when the person presses the button. */
export function linkPageHandler(step: LinkStep, deps: LinkPageDependencies) {
  return async (event: APIGatewayProxyEventV2, context?: Context): Promise<HttpResult> => {
    const orderId = event.pathParameters?.orderId ?? '';
    startInvocationLog(context, isOrderId(orderId) ? { orderId, executionName: executionNameFor(orderId) } : {});
    const code = event.queryStringParameters?.code;
    const render = (outcome: Parameters<typeof outcomePage>[0]) =>
      renderPage(outcomePage(outcome, isOrderId(orderId) ? statusUrl(deps.publicBaseUrl, orderId) : undefined), deps.publicBaseUrl);
    if (!isOrderId(orderId)) return render(describeLinkResult(step, { outcome: 'notFound' }, true));
    if (!isWellFormedLinkCode(code)) return render(describeLinkResult(step, { outcome: 'wrongCode' }, true));
    const check = await checkLink(deps.orders, step, orderId, code);
    logger.info('Link page requested', { step, outcome: check.outcome });
    if (check.outcome === 'ready') return renderPage(linkFormPage(step, check.order, code, deps.publicBaseUrl), deps.publicBaseUrl);
    return render(describeLinkResult(step, check, true));
  };
}

export interface LinkActionHandlerDependencies extends LinkActionDependencies {
  publicBaseUrl: string;
}

/** POST for a link step: JSON in, JSON out; a form post from the page gets a result page. */
export function linkActionHandler(step: LinkStep, deps: LinkActionHandlerDependencies) {
  const action = createLinkAction(step, deps);
  return async (event: APIGatewayProxyEventV2, context?: Context): Promise<HttpResult> => {
    startInvocationLog(context, {});
    action.registerContext(context);
    const body = parseBody(event, ['json', 'form']);
    const page = body.kind === 'form';
    if (!body.ok) {
      return page
        ? renderPage(invalidRequestPage(body.statusCode, body.message, body.errors), deps.publicBaseUrl)
        : jsonProblem(body.statusCode, body.message, body.errors);
    }
    const input = validateLinkAction(body.fields, step === 'delivered');
    if (!input.ok) {
      const message = `Please correct: ${input.errors.map((error) => error.field).join(', ')}.`;
      return page
        ? renderPage(invalidRequestPage(400, message, input.errors), deps.publicBaseUrl)
        : jsonProblem(400, message, input.errors);
    }
    logger.appendKeys({ orderId: input.value.orderId, executionName: executionNameFor(input.value.orderId) });
    const result = await action.perform(input.value);
    logger.info('Link action handled', { step, outcome: result.outcome });
    const outcome = describeLinkResult(step, result, false);
    if (page) {
      const rendered = renderPage(outcomePage(outcome, statusUrl(deps.publicBaseUrl, input.value.orderId)), deps.publicBaseUrl);
      return { ...rendered, headers: { ...rendered.headers, ...outcome.headers } };
    }
    if (outcome.statusCode >= 400) {
      const errors = outcome.field ? [{ field: outcome.field, message: outcome.message }] : undefined;
      return jsonProblem(outcome.statusCode, outcome.message, errors, outcome.headers);
    }
    return json(outcome.statusCode, {
      orderId: input.value.orderId,
      status: outcome.status,
      changed: result.outcome === 'done',
      message: outcome.message,
    });
  };
}
