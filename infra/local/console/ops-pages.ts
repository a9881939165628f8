import type { DescribeExecutionCommandOutput, ExecutionListItem, HistoryEvent } from '@aws-sdk/client-sfn';
import { pathInWords, readPath, toMermaid, type AslDefinition, type StateMark } from './graph';
import { html, page, type SafeHtml } from './html';
import { Redactor, historySecret, recordSecret, redact } from './redact';
import { unsentMessageField, unsentMessageLabels, unsentMessages, type UnsentMessage } from '../../../functions/lib/order';


/** How many characters of an order id a search needs before it also lists the executions whose id starts with them. */
export const minimumSearchPrefix = 8;
export const executionStatuses = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;
export type StatusFilter = (typeof executionStatuses)[number];

const stoppable = new Set(['RUNNING']);
const redrivable = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

export function executionPath(name: string, action = ''): string {
  return `/ops/executions/${encodeURIComponent(name)}${action ? `/${action}` : ''}`;
}

function time(date: Date | undefined): SafeHtml | string {
  if (!date) return '—';
  const iso = date.toISOString();
  return html`<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}</time>`;
}

function statusBadge(status: string | undefined): SafeHtml {
  const value = status ?? 'UNKNOWN';
  return html`<span class="status status-${value.toLowerCase()}">${value}</span>`;
}

export type ExecutionRow = Partial<Pick<ExecutionListItem, 'name' | 'status' | 'startDate' | 'stopDate'>>;

export interface ListView {
  executions: readonly ExecutionRow[];
  status?: StatusFilter;
  search: string;
  nextToken?: string;
  notFound?: string;
}

function listQuery(status: StatusFilter | undefined, nextToken: string): string {
  const query = new URLSearchParams();
  if (status) query.set('status', status);
  query.set('page', nextToken);
  return `/ops?${query.toString()}`;
}

export function listPage(view: ListView): SafeHtml {
  const rows = view.executions.map(
    (execution) => html`<tr>
<th scope="row"><a href="${executionPath(execution.name ?? '')}">${execution.name}</a></th>
<td>${statusBadge(execution.status)}</td>
<td>${time(execution.startDate)}</td>
<td>${time(execution.stopDate)}</td>
</tr>`,
  );
  const body = html`<h1>Executions</h1>
<form class="filters" method="get" action="/ops" role="search">
<p><label for="status">Status</label>
<select id="status" name="status">
<option value="">All</option>
${executionStatuses.map((status) => html`<option value="${status}"${status === view.status ? html` selected` : ''}>${status}</option>`)}
</select></p>
<p><label for="order">Order id</label>
<input id="order" name="order" value="${view.search}" placeholder="order id, or its first ${minimumSearchPrefix} characters" autocomplete="off" spellcheck="false"></p>
<p><button type="submit">Show</button></p>
</form>
${view.notFound ? html`<p class="notice" role="status">No execution is named ${view.notFound}, and none starts with it. A search by the start of an order id needs at least ${minimumSearchPrefix} of its characters.</p>` : ''}
${
  view.executions.length > 0
    ? html`<div class="table-wrap"><table>
<caption>Newest first${view.status ? html`, status ${view.status}` : ''}</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Ended</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`
    : view.notFound
      ? ''
      : html`<p class="notice" role="status">No executions${view.status ? html` with status ${view.status}` : ''}.</p>`
}
<nav class="pager" aria-label="Pages">
${view.nextToken ? html`<a href="${listQuery(view.status, view.nextToken)}" rel="next">Older executions</a>` : ''}
${view.search || view.status || view.nextToken !== undefined ? html`<a href="/ops">Back to newest</a>` : ''}
</nav>`;
  return page({ title: 'Executions — cake shop ops', body });
}

const markWords: Record<StateMark, string> = {
  visited: 'visited',
  current: 'running now',
  caught: 'error caught',
  failed: 'failed here',
};

/** The event's own details object, e.g. `taskFailedEventDetails` for a TaskFailed event. */
function detailsOf(event: HistoryEvent): Record<string, unknown> {
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith('EventDetails') && value && typeof value === 'object') return value as Record<string, unknown>;
  }
  return {};
}

const expandable = ['input', 'output', 'parameters', 'cause'] as const;

function historyRows(events: readonly HistoryEvent[], redactor: Redactor, started: Date | undefined): SafeHtml[] {
  let state = '';
  return events.map((event) => {
    const details = detailsOf(event);
    if (event.stateEnteredEventDetails?.name) state = event.stateEnteredEventDetails.name;
    const step = event.stateEnteredEventDetails?.name ?? event.stateExitedEventDetails?.name ?? state;
    const elapsed = started && event.timestamp ? `+${((event.timestamp.getTime() - started.getTime()) / 1000).toFixed(3)} s` : '';
    const parts = expandable
      .filter((key) => typeof details[key] === 'string')
      .map(
        (key) => html`<details data-key="${event.id}-${key}"><summary>${key[0].toUpperCase() + key.slice(1)}</summary><pre><code>${redactor.show(details[key] as string)}</code></pre></details>`,
      );
    const error = typeof details.error === 'string' ? html`<p class="error-name">${redactor.scrub(details.error)}</p>` : '';
    return html`<tr class="event event-${(event.type ?? '').toLowerCase()}">
<td data-label="#">${event.id}</td>
<td data-label="Type">${event.type}</td>
<td data-label="State">${step}</td>
<td data-label="Time">${time(event.timestamp)} <span class="elapsed">${elapsed}</span></td>
<td data-label="Details">${error}${parts}</td>
</tr>`;
  });
}

function recordValue(value: unknown): SafeHtml | string {
  if (Array.isArray(value) && value.length > 0 && value.every((item) => item && typeof item === 'object' && !Array.isArray(item))) {
    const keys = [...new Set(value.flatMap((item) => Object.keys(item as object)))];
    return html`<div class="table-wrap"><table class="compact">
<thead><tr>${keys.map((key) => html`<th scope="col">${key}</th>`)}</tr></thead>
<tbody>${value.map((item) => html`<tr>${keys.map((key) => html`<td>${recordScalar((item as Record<string, unknown>)[key])}</td>`)}</tr>`)}</tbody>
</table></div>`;
  }
  return recordScalar(value);
}

function recordScalar(value: unknown): SafeHtml | string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return html`<pre><code>${JSON.stringify(value, null, 2)}</code></pre>`;
  return String(value);
}

export interface OrderLookup {
  record?: Record<string, unknown>;
  problem?: string;
}

function orderSection({ record: order, problem }: OrderLookup, executionName: string): SafeHtml {
  if (problem) {
    return html`<section class="order" aria-labelledby="order-heading"><h2 id="order-heading">Order record</h2>
<p class="notice" role="alert">The order record could not be read from DynamoDB: ${problem}</p></section>`;
  }
  if (!order) {
    return html`<section class="order" aria-labelledby="order-heading"><h2 id="order-heading">Order record</h2>
<p class="notice">No order record for ${executionName}.</p></section>`;
  }
  const shown = redact(order, recordSecret) as Record<string, unknown>;
  const first = ['orderId', 'status'];
  const keys = [...first.filter((key) => key in shown), ...Object.keys(shown).filter((key) => !first.includes(key)).sort()];
  return html`<section class="order" aria-labelledby="order-heading"><h2 id="order-heading">Order record</h2>
<dl class="record">${keys.map((key) => html`<div><dt>${key}</dt><dd>${recordValue(shown[key])}</dd></div>`)}</dl>
</section>`;
}

/**
 * What the workflow gave up sending for this order. Those steps do not decide the order, so it went on without
 * them; each can be re-sent from here, after a confirmation.
 */
function unsentSection(order: OrderLookup, executionName: string, canResend: boolean): SafeHtml | string {
  const record = order.record ?? {};
  const unsent = unsentMessages(record);
  if (unsent.length === 0) return '';
  const items = unsent.map(
    (message) => html`<li>${unsentMessageLabels[message]}, given up at ${String(record[unsentMessageField[message]])}
${canResend ? html` <a class="button" href="${resendPath(executionName, message)}">Re-send…</a>` : ''}</li>`,
  );
  return html`<section class="unsent" aria-labelledby="unsent-heading">
<h2 id="unsent-heading">Not sent</h2>
<p>The workflow could not send these after every retry. The order went on without them.</p>
<ul>${items}</ul>
</section>`;
}

/** The detail types the order lists as not published; DynamoDB's string set reads as a Set, a replayed record as a list. */
export function unpublishedEventsOf(record: Record<string, unknown>): string[] {
  const types = record.unpublishedEvents;
  if (types instanceof Set || Array.isArray(types)) return [...(types as Iterable<unknown>)].filter((type): type is string => typeof type === 'string').sort();
  return [];
}

/**
 * The order events the workflow gave up publishing. Like a message not sent, they did not decide the order; each
 * can be re-published from here, after a confirmation, as the very event the workflow built.
 */
function unpublishedSection(order: OrderLookup, executionName: string, canRepublish: boolean): SafeHtml | string {
  const record = order.record ?? {};
  const types = unpublishedEventsOf(record);
  if (types.length === 0) return '';
  const details = (record.unpublishedEventDetails ?? {}) as Record<string, { eventId?: unknown; occurredAt?: unknown } | undefined>;
  const items = types.map((type) => {
    const detail = details[type];
    const recorded = detail === undefined ? html` (its detail was not recorded, so it cannot be re-published as the same event)` : html`, <code>${String(detail.eventId)}</code>, occurred at ${String(detail.occurredAt)}`;
    return html`<li>${type}${recorded}
${canRepublish && detail !== undefined ? html` <a class="button" href="${republishPath(executionName, type)}">Re-publish…</a>` : ''}</li>`;
  });
  return html`<section class="unpublished" aria-labelledby="unpublished-heading">
<h2 id="unpublished-heading">Not published</h2>
<p>The workflow could not publish these order events on the order events bus after every retry. The order went on without them.</p>
<ul>${items}</ul>
</section>`;
}

export function republishPath(executionName: string, eventType: string): string {
  return executionPath(executionName, `republish/${eventType}`);
}

export function resendPath(executionName: string, message: UnsentMessage): string {
  return executionPath(executionName, `resend/${message}`);
}

export interface ExecutionView {
  execution: DescribeExecutionCommandOutput;
  definition: AslDefinition;
  events: HistoryEvent[];
  order: OrderLookup;
  /** Whether this console can invoke the re-send function. */
  canResend?: boolean;
  /** Whether this console can invoke the re-publish function. */
  canRepublish?: boolean;
}

/** A fingerprint that changes whenever the page would: the live script reloads when it does. */
export function executionVersion(execution: DescribeExecutionCommandOutput, events: readonly HistoryEvent[]): string {
  return `${execution.status}:${execution.redriveCount ?? 0}:${events.length}`;
}

export function executionPage({ execution, definition, events, order, canResend = false, canRepublish = false }: ExecutionView): SafeHtml {
  const name = execution.name ?? '';
  const path = readPath(events, execution.status);
  const redactor = new Redactor(historySecret);
  redactor.learn(events.flatMap((event) => Object.values(detailsOf(event)).filter((value): value is string => typeof value === 'string')));
  const running = execution.status === 'RUNNING';
  const canRedrive = redrivable.has(execution.status ?? '') && execution.redriveStatus !== 'NOT_REDRIVABLE';
  const legend = (['visited', 'current', 'caught', 'failed'] as const).map(
    (mark) => html`<li><span class="swatch swatch-${mark}" aria-hidden="true"></span>${markWords[mark]}</li>`,
  );
  const retried = [...path.retries].map(([state, count]) => html`<li>${state}: ${count} failed attempt${count === 1 ? '' : 's'} retried</li>`);
  const body = html`<div class="execution" data-live="${running ? executionPath(name, 'version') : ''}" data-version="${executionVersion(execution, events)}">
<h1>${name}</h1>
<p>${statusBadge(execution.status)}${running ? html` <span class="live" role="status">Updates while it runs</span>` : ''}</p>
<dl class="summary">
<div><dt>Execution ARN</dt><dd><code class="arn">${execution.executionArn}</code></dd></div>
<div><dt>Started</dt><dd>${time(execution.startDate)}</dd></div>
<div><dt>Ended</dt><dd>${time(execution.stopDate)}</dd></div>
${execution.redriveCount ? html`<div><dt>Redrives</dt><dd>${execution.redriveCount}</dd></div>` : ''}
${execution.error ? html`<div><dt>Error</dt><dd>${redactor.scrub(execution.error)}</dd></div>` : ''}
${execution.cause ? html`<div><dt>Cause</dt><dd>${redactor.scrub(execution.cause)}</dd></div>` : ''}
</dl>
${
  stoppable.has(execution.status ?? '') || canRedrive
    ? html`<p class="actions">
${stoppable.has(execution.status ?? '') ? html`<a class="button danger" href="${executionPath(name, 'stop')}">Stop execution…</a>` : ''}
${canRedrive ? html`<a class="button" href="${executionPath(name, 'redrive')}">Redrive execution…</a>` : ''}
</p>`
    : ''
}
${unsentSection(order, name, canResend)}
${unpublishedSection(order, name, canRepublish)}
<div class="columns">
<section class="graph" aria-labelledby="graph-heading">
<h2 id="graph-heading">Workflow</h2>
<div id="graph" class="graph-drawing"></div>
<pre id="graph-source" hidden>${toMermaid(definition, path)}</pre>
<p id="path-text">${pathInWords(path, definition)}</p>
${retried.length > 0 ? html`<ul class="retries">${retried}</ul>` : ''}
<ul class="legend" aria-label="Legend">${legend}</ul>
<p class="hint">Bold arrows show the path taken. Catch-all (States.ALL) arrows appear only when an error took one.</p>
</section>
${orderSection(order, name)}
</div>
<section aria-labelledby="history-heading">
<h2 id="history-heading">Event history</h2>
<div class="table-wrap"><table class="history">
<thead><tr><th scope="col">#</th><th scope="col">Type</th><th scope="col">State</th><th scope="col">Time</th><th scope="col">Details</th></tr></thead>
<tbody>${historyRows(events, redactor, execution.startDate)}</tbody>
</table></div>
</section>
</div>`;
  return page({
    title: `${name} — cake shop ops`,
    body,
    scripts: ['console.js'],
    head: running ? html`<noscript><meta http-equiv="refresh" content="5"></noscript>` : undefined,
  });
}

export type OpsAction = 'stop' | 'redrive';

const actionWords: Record<OpsAction, { verb: string; explain: string }> = {
  stop: {
    verb: 'Stop',
    explain:
      'Stopping ends the execution now with status ABORTED. The order record keeps its current status, and nobody is emailed. You can redrive it afterwards.',
  },
  redrive: {
    verb: 'Redrive',
    explain: 'Redriving restarts the execution from the state where it stopped or failed, keeping the steps that already succeeded.',
  },
};

export function confirmPage(action: OpsAction, execution: DescribeExecutionCommandOutput): SafeHtml {
  const name = execution.name ?? '';
  const words = actionWords[action];
  const body = html`<h1>${words.verb} ${name}?</h1>
<p>Status now: ${statusBadge(execution.status)}</p>
<p>${words.explain}</p>
<form method="post" action="${executionPath(name, action)}">
<p class="actions"><button type="submit" class="${action === 'stop' ? 'danger' : ''}">${words.verb} execution</button>
<a href="${executionPath(name)}">Keep it as it is</a></p>
</form>`;
  return page({ title: `${words.verb} ${name}? — cake shop ops`, body });
}

export function resendConfirmPage(executionName: string, message: UnsentMessage): SafeHtml {
  const body = html`<h1>Re-send for ${executionName}?</h1>
<p>${unsentMessageLabels[message]} was not sent. Re-sending sends it now, once: pressing again, or a message that did go
out after all, sends nothing more.</p>
<form method="post" action="${resendPath(executionName, message)}">
<p class="actions"><button type="submit">Re-send</button>
<a href="${executionPath(executionName)}">Keep it as it is</a></p>
</form>`;
  return page({ title: `Re-send for ${executionName}? — cake shop ops`, body });
}

export function republishConfirmPage(executionName: string, eventType: string): SafeHtml {
  const body = html`<h1>Re-publish ${eventType} for ${executionName}?</h1>
<p>${eventType} was not published. Re-publishing puts the same event (same eventId, sequence and occurredAt) on the order
events bus now; a consumer that got it after all drops the copy by its eventId. Pressing again publishes nothing more.</p>
<form method="post" action="${republishPath(executionName, eventType)}">
<p class="actions"><button type="submit">Re-publish</button>
<a href="${executionPath(executionName)}">Keep it as it is</a></p>
</form>`;
  return page({ title: `Re-publish ${eventType} for ${executionName}? — cake shop ops`, body });
}

export function messagePage(title: string, message: string, back?: { href: string; text: string }): SafeHtml {
  return page({
    title: `${title} — cake shop ops`,
    body: html`<h1>${title}</h1><p>${message}</p>${back ? html`<p><a href="${back.href}">${back.text}</a></p>` : ''}`,
  });
}
