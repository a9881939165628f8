import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { messagePage, confirmPage, minimumSearchPrefix, executionPage, executionPath, executionStatuses, executionVersion, listPage, republishConfirmPage, resendConfirmPage, unpublishedEventsOf, type OpsAction, type StatusFilter } from './ops-pages';
import { isOrderId, isUnsentMessage, unsentMessages, type OrderSummary, type UnsentMessage } from '../../../functions/lib/order';
import { redirect, securityHeaders, sendHtml } from './html';
import type { FieldError } from '../../../functions/lib/http';
import { formPath, isFormKey, orderPlacedPage, orderPlacedPath, readOrderForm, shopPage, toOrderRequest } from './shop-page';
import { WorkflowReader, orderExecutionPrefix, type ReaderOptions } from './workflow-reader';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SalesViewRepository } from '../../../functions/lib/sales-view';
import type { DeadLetter } from '../eventbridge';
import { orderEventTypes, type OrderEventType } from '../../order-events';
import { deadLettersPage, deadLettersPath, salesPage, salesPath } from './sales-page';

export interface ConsoleOptions extends ReaderOptions {
  /** Base URL of the shop API, no trailing slash: the demo shop posts orders there and links to the status page. */
  shopApiBase: string;
  pageSize?: number;
  /**
   * Invokes the resendUnsentMessage function (infra/wiring.ts), as `aws lambda invoke` would on AWS. Without it the
   * console shows what was not sent but offers no re-send.
   */
  resendUnsentMessage?: (request: { orderId: string; message: UnsentMessage }) => Promise<unknown>;
  /**
   * Invokes the republishOrderEvent function (infra/wiring.ts) and gives back its result. Without it the console
   * shows what was not published but offers no re-publish.
   */
  republishOrderEvent?: (request: { orderId: string; eventType: OrderEventType }) => Promise<unknown>;
  /** The sales view table, which the Sales page reads with one Query; without it the page says so. */
  salesViewTable?: string;
  /** The local EventBridge's dead letters, oldest first. */
  deadLetters?: () => DeadLetter[];
}

/** Handles `/` (demo shop) and `/ops/**` (ops console); resolves false for any other path so the caller can route it. */
export type ConsoleHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

const maxFormBytes = 32 * 1024;

const assets: Record<string, { file: string; type: string }> = {
  'mermaid.min.js': { file: require.resolve('mermaid/dist/mermaid.min.js'), type: 'text/javascript; charset=utf-8' },
  'console.js': { file: join(__dirname, 'assets', 'console.js'), type: 'text/javascript; charset=utf-8' },
  'console.css': { file: join(__dirname, 'assets', 'console.css'), type: 'text/css; charset=utf-8' },
};

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new HttpProblem(415, 'Unsupported form', 'Send the form as application/x-www-form-urlencoded.');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxFormBytes) throw new HttpProblem(413, 'Form too large', `The form may be at most ${maxFormBytes} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * Cookies are not involved, but a form on another site could still POST to this console on 127.0.0.1;
 * browsers say where a request came from, so a cross-site POST is refused.
 */
function assertSameOrigin(req: IncomingMessage): void {
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  const crossSite = (site !== undefined && site !== 'same-origin' && site !== 'none') || (origin !== undefined && originHost(origin) !== req.headers.host);
  if (crossSite) throw new HttpProblem(403, 'Refused', 'This form may only be posted from the console itself.');
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

function decodeName(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpProblem(404, 'No such execution', 'The execution name in this address is not valid.');
  }
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('Allow', allow);
  sendHtml(res, 405, messagePage('Method not allowed', `Use ${allow} here.`, { href: '/ops', text: 'Back to executions' }));
}

async function sendAsset(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
  const asset = Object.hasOwn(assets, name) ? assets[name] : undefined;
  if (!asset) {
    sendHtml(res, 404, messagePage('Not found', 'There is no such file.'));
    return;
  }
  const { size } = await stat(asset.file);
  res.writeHead(200, { ...securityHeaders, 'Content-Type': asset.type, 'Content-Length': size, 'Cache-Control': 'public, max-age=300' });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    createReadStream(asset.file).on('error', reject).pipe(res).on('finish', resolve).on('error', reject);
  });
}

function parseErrors(body: unknown): { errors: FieldError[]; message?: string } {
  if (!body || typeof body !== 'object') return { errors: [] };
  const { errors, message } = body as { errors?: unknown; message?: unknown };
  const list = Array.isArray(errors)
    ? errors
        .filter((error): error is { field: unknown; message: unknown } => Boolean(error) && typeof error === 'object')
        .map((error) => ({ field: String(error.field ?? ''), message: String(error.message ?? '') }))
    : [];
  return { errors: list, message: typeof message === 'string' ? message : undefined };
}

export function createConsole(options: ConsoleOptions): ConsoleHandler {
  const reader = new WorkflowReader(options);
  const pageSize = options.pageSize ?? 20;
  const shopApiBase = options.shopApiBase.replace(/\/+$/, '');
  const salesView =
    options.salesViewTable === undefined
      ? undefined
      : new SalesViewRepository(
          options.salesViewTable,
          DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: options.dynamodbEndpoint, region: options.region, credentials: options.credentials ?? { accessKeyId: 'local', secretAccessKey: 'local' } })),
        );

  /** A form without a key in its address gets one: the key must be in the address for Back to return to it. */
  function showShop(url: URL, res: ServerResponse): void {
    const key = url.searchParams.get('key');
    if (isFormKey(key)) sendHtml(res, 200, shopPage({ idempotencyKey: key }));
    else redirect(res, formPath(randomUUID()));
  }

  async function placeOrder(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    assertSameOrigin(req);
    const read = readOrderForm(await readForm(req));
    const { form } = read;
    const fromAddress = url.searchParams.get('key');
    const idempotencyKey = isFormKey(read.idempotencyKey) ? read.idempotencyKey : isFormKey(fromAddress) ? fromAddress : randomUUID();
    let response: Response;
    try {
      response = await fetch(`${shopApiBase}/order`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}) },
        body: JSON.stringify(toOrderRequest(form)),
      });
    } catch {
      sendHtml(res, 502, shopPage({ idempotencyKey, form, problem: 'The shop is not answering right now. Please try again in a minute.' }));
      return;
    }
    const body: unknown = await response.json().catch(() => undefined);
    const orderId = String((body as { orderId?: unknown } | undefined)?.orderId ?? '');
    if (response.ok && isOrderId(orderId)) {
      // Post/Redirect/Get: the thank-you page has an address of its own, so Back, Forward and reload never resubmit.
      redirect(res, orderPlacedPath(orderId));
      return;
    }
    const { errors, message } = parseErrors(body);
    const problem = errors.length > 0 ? undefined : (message ?? `The shop answered ${response.status}.`);
    sendHtml(res, response.ok ? 502 : response.status, shopPage({ idempotencyKey, form, errors, problem }));
  }

  /** Reads the order back from the API, so an address with a made-up id shows no thank-you. */
  async function showOrderPlaced(orderId: string, res: ServerResponse): Promise<void> {
    const statusUrl = `${shopApiBase}/order/${encodeURIComponent(orderId)}`;
    const response = isOrderId(orderId) ? await fetch(statusUrl, { headers: { Accept: 'application/json' } }) : undefined;
    if (response?.status === 404 || !response) throw new HttpProblem(404, 'Order not found', 'There is no order with this id.');
    if (!response.ok) throw new HttpProblem(502, 'The shop did not answer', `The shop answered ${response.status}.`);
    const summary = (await response.json()) as OrderSummary;
    sendHtml(res, 200, orderPlacedPage({ orderId, cakeName: summary.cake.name, quantity: summary.quantity, statusUrl }));
  }

  async function listExecutions(url: URL, res: ServerResponse): Promise<void> {
    const requested = url.searchParams.get('status') ?? '';
    const status = executionStatuses.find((candidate) => candidate === requested) as StatusFilter | undefined;
    const search = (url.searchParams.get('order') ?? '').trim();
    if (search) {
      const name = search.startsWith(orderExecutionPrefix) ? search : `${orderExecutionPrefix}${search}`;
      const found = await reader.describe(name);
      if (found) {
        sendHtml(res, 200, listPage({ executions: !status || found.status === status ? [found] : [], status, search }));
        return;
      }
      // An order id is long to type or paste whole; its first 8 characters almost always name one order.
      const byPrefix = name.length - orderExecutionPrefix.length >= minimumSearchPrefix ? await reader.findByNamePrefix(name, status, pageSize) : [];
      sendHtml(res, 200, listPage({ executions: byPrefix, status, search, notFound: byPrefix.length > 0 ? undefined : name }));
      return;
    }
    const page = await reader.listExecutions(status, url.searchParams.get('page') ?? undefined, pageSize);
    sendHtml(res, 200, listPage({ ...page, status, search }));
  }

  async function showExecution(name: string, res: ServerResponse): Promise<void> {
    const detail = await reader.detail(name);
    if (!detail) throw new HttpProblem(404, 'No such execution', `No execution is named ${name}.`);
    // The history is the page's subject; an unreadable order record is reported in its place, not as a failed page.
    const order = await reader.order(name).then(
      (record) => ({ record }),
      (error: unknown) => ({ problem: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }),
    );
    sendHtml(res, 200, executionPage({ ...detail, order, canResend: options.resendUnsentMessage !== undefined, canRepublish: options.republishOrderEvent !== undefined }), { drawing: true });
  }

  async function sendVersion(name: string, res: ServerResponse): Promise<void> {
    const execution = await reader.describe(name);
    if (!execution?.executionArn) throw new HttpProblem(404, 'No such execution', `No execution is named ${name}.`);
    const events = await reader.history(execution.executionArn);
    res.writeHead(200, { ...securityHeaders, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify({ version: executionVersion(execution, events) }));
  }

  async function act(action: OpsAction, name: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const execution = await reader.describe(name);
    if (!execution?.executionArn) throw new HttpProblem(404, 'No such execution', `No execution is named ${name}.`);
    if (req.method !== 'POST') {
      sendHtml(res, 200, confirmPage(action, execution));
      return;
    }
    assertSameOrigin(req);
    try {
      if (action === 'stop') await reader.stop(execution.executionArn);
      else await reader.redrive(execution.executionArn);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new HttpProblem(409, `Could not ${action} ${name}`, reason);
    }
    redirect(res, executionPath(name));
  }

  /** GET shows the confirmation, POST re-sends through the handler, which is idempotent, then back to the execution. */
  async function resend(name: string, message: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isUnsentMessage(message)) throw new HttpProblem(404, 'Not found', 'There is no such message to re-send.');
    const send = options.resendUnsentMessage;
    if (!send) throw new HttpProblem(501, 'Re-send is not available', 'This console was started without the re-send function.');
    const record = await reader.order(name);
    if (!record) throw new HttpProblem(404, 'No such order', `No order record for ${name}.`);
    if (req.method !== 'POST') {
      if (!unsentMessages(record).includes(message)) {
        throw new HttpProblem(409, 'Nothing to re-send', `The order does not list this message as unsent any more.`);
      }
      sendHtml(res, 200, resendConfirmPage(name, message));
      return;
    }
    assertSameOrigin(req);
    try {
      await send({ orderId: String(record.orderId), message });
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new HttpProblem(409, `Could not re-send for ${name}`, reason);
    }
    redirect(res, executionPath(name));
  }

  /**
   * GET shows the confirmation, POST re-publishes through the handler, then back to the execution; when the handler
   * published nothing (a second click, or no recorded detail) the page says so instead.
   */
  async function republish(name: string, eventType: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!(orderEventTypes as string[]).includes(eventType)) throw new HttpProblem(404, 'Not found', 'There is no such order event to re-publish.');
    const publish = options.republishOrderEvent;
    if (!publish) throw new HttpProblem(501, 'Re-publish is not available', 'This console was started without the re-publish function.');
    const record = await reader.order(name);
    if (!record) throw new HttpProblem(404, 'No such order', `No order record for ${name}.`);
    const nothing = () => new HttpProblem(409, 'Nothing to re-publish', `The order does not list ${eventType} as not published any more.`);
    if (req.method !== 'POST') {
      if (!unpublishedEventsOf(record).includes(eventType)) throw nothing();
      sendHtml(res, 200, republishConfirmPage(name, eventType));
      return;
    }
    assertSameOrigin(req);
    let outcome: unknown;
    try {
      outcome = ((await publish({ orderId: String(record.orderId), eventType: eventType as OrderEventType })) as { outcome?: unknown } | undefined)?.outcome;
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new HttpProblem(409, `Could not re-publish for ${name}`, reason);
    }
    if (outcome === 'notUnpublished') throw nothing();
    if (outcome === 'notRecorded') throw new HttpProblem(409, 'Cannot re-publish', `The order does not record the detail of ${eventType}, so it cannot be the same event.`);
    redirect(res, executionPath(name));
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const method = req.method ?? 'GET';
    const reading = method === 'GET' || method === 'HEAD';
    const path = url.pathname;
    if (path === '/') {
      if (reading) showShop(url, res);
      else if (method === 'POST') await placeOrder(req, res, url);
      else methodNotAllowed(res, 'GET, POST');
      return true;
    }
    const placed = /^\/order-placed\/([^/]+)$/.exec(path);
    if (placed) {
      if (reading) await showOrderPlaced(placed[1], res);
      else methodNotAllowed(res, 'GET');
      return true;
    }
    if (path !== '/ops' && !path.startsWith('/ops/')) return false;
    if (path.startsWith('/ops/assets/')) {
      if (reading) await sendAsset(req, res, path.slice('/ops/assets/'.length));
      else methodNotAllowed(res, 'GET');
      return true;
    }
    if (path === '/ops' || path === '/ops/') {
      if (reading) await listExecutions(url, res);
      else methodNotAllowed(res, 'GET');
      return true;
    }
    if (path === salesPath || path === deadLettersPath) {
      if (!reading) methodNotAllowed(res, 'GET');
      else if (path === deadLettersPath) sendHtml(res, 200, deadLettersPage(options.deadLetters?.() ?? []));
      else if (!salesView) throw new HttpProblem(501, 'No sales view', 'This console was started without the sales view table.');
      else sendHtml(res, 200, salesPage(await salesView.read()));
      return true;
    }
    const match = /^\/ops\/executions\/([^/]+)(?:\/(stop|redrive|version)|\/resend\/([A-Za-z]+)|\/republish\/([A-Za-z]+))?$/.exec(path);
    if (!match) throw new HttpProblem(404, 'Not found', 'There is no such page in the console.');
    const name = decodeName(match[1]);
    const action = match[2];
    if (match[3] !== undefined) {
      if (reading || method === 'POST') await resend(name, match[3], req, res);
      else methodNotAllowed(res, 'GET, POST');
    } else if (match[4] !== undefined) {
      if (reading || method === 'POST') await republish(name, match[4], req, res);
      else methodNotAllowed(res, 'GET, POST');
    } else if (action === 'stop' || action === 'redrive') {
      if (reading || method === 'POST') await act(action, name, req, res);
      else methodNotAllowed(res, 'GET, POST');
    } else if (!reading) {
      methodNotAllowed(res, 'GET');
    } else if (action === 'version') {
      await sendVersion(name, res);
    } else {
      await showExecution(name, res);
    }
    return true;
  }

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    try {
      return await route(req, res, url);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return true;
      }
      if (error instanceof HttpProblem) {
        sendHtml(res, error.status, messagePage(error.title, error.message, { href: '/ops', text: 'Back to executions' }));
      } else {
        const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        sendHtml(res, 502, messagePage('Step Functions or DynamoDB did not answer', reason, { href: '/ops', text: 'Try again' }));
      }
      return true;
    }
  };
}
