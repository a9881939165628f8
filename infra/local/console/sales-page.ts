import type { DeadLetter } from '../eventbridge';
import type { MedianFigures, SalesView } from '../../../functions/lib/sales-view';
import { html, page, type SafeHtml } from './html';

export const salesPath = '/ops/sales';
export const deadLettersPath = '/ops/dead-letters';

interface Bar {
  label: string;
  value: number;
}

const chartWidth = 480;
const rowHeight = 26;
const labelWidth = 170;

/**
 * A horizontal bar chart as inline SVG, drawn here so the page needs no script; the table beside it holds the same
 * figures for anyone who cannot see the drawing. Labels are escaped like any other text of the console.
 */
export function barChart(title: string, bars: readonly Bar[], format: (value: number) => string = String): SafeHtml {
  if (bars.length === 0) return html`<p class="hint">Nothing yet.</p>`;
  const max = Math.max(...bars.map((bar) => bar.value), 1);
  const height = bars.length * rowHeight + 8;
  const room = chartWidth - labelWidth - 60;
  return html`<svg class="chart" role="img" aria-label="${title}" viewBox="0 0 ${chartWidth} ${height}" width="${chartWidth}" height="${height}" xmlns="http://www.w3.org/2000/svg">
<title>${title}</title>
${bars.map((bar, index) => {
  const y = index * rowHeight + 4;
  const width = Math.max(1, Math.round((bar.value / max) * room));
  return html`<g><text x="${labelWidth - 6}" y="${y + 16}" text-anchor="end" font-size="13" fill="currentColor">${bar.label}</text><rect x="${labelWidth}" y="${y + 3}" width="${width}" height="${rowHeight - 8}" fill="#1d4ed8"></rect><text x="${labelWidth + width + 6}" y="${y + 16}" font-size="13" fill="currentColor">${format(bar.value)}</text></g>`;
})}
</svg>`;
}

function table(caption: string, headings: readonly string[], rows: readonly (readonly (string | number)[])[]): SafeHtml {
  return html`<table class="compact"><caption>${caption}</caption><thead><tr>${headings.map((heading) => html`<th scope="col">${heading}</th>`)}</tr></thead>
<tbody>${rows.length === 0 ? html`<tr><td colspan="${headings.length}">Nothing yet.</td></tr>` : rows.map((row) => html`<tr>${row.map((cell) => html`<td>${cell}</td>`)}</tr>`)}</tbody></table>`;
}

function section(id: string, heading: string, chart: SafeHtml, figures: SafeHtml): SafeHtml {
  return html`<section aria-labelledby="${id}"><h2 id="${id}">${heading}</h2><div class="columns"><div class="chart-drawing">${chart}</div><div>${figures}</div></div></section>`;
}

/** 3725 -> "1 h 2 min 5 s": medians of a cake shop run from minutes to days. */
export function formatDuration(seconds: number): string {
  const whole = Math.round(seconds);
  const parts: string[] = [];
  const units: [number, string][] = [
    [86_400, 'd'],
    [3_600, 'h'],
    [60, 'min'],
  ];
  let left = whole;
  for (const [size, unit] of units) {
    if (left >= size) {
      parts.push(`${Math.floor(left / size)} ${unit}`);
      left %= size;
    }
  }
  if (left > 0 || parts.length === 0) parts.push(`${left} s`);
  return parts.join(' ');
}

const medianText = (figures: MedianFigures): string => (figures.medianSeconds === undefined ? 'no sample yet' : formatDuration(figures.medianSeconds));

/** The Sales page: each part of the sales view as a chart with its table. It reads the view and changes nothing. */
export function salesPage(view: SalesView): SafeHtml {
  const durations: [string, MedianFigures][] = [
    ['Order to fulfilment', view.durations.placedToFulfilled],
    ['Fulfilment to delivery', view.durations.fulfilledToDelivered],
  ];
  const average = view.rating.average;
  return page({
    title: 'Sales — cake shop ops',
    body: html`<h1>Sales</h1>
<p class="hint">Built from the order events by the update-sales-view function; each event counts once, whatever order the events come in. Days are UTC.</p>
${section(
  'orders-per-day',
  'Orders per day',
  barChart('Orders per day', view.days.map((day) => ({ label: day.day, value: day.orders }))),
  table('Orders per day', ['Day', 'Orders', 'Cakes'], view.days.map((day) => [day.day, day.orders, day.cakes])),
)}
${section(
  'orders-per-cake',
  'Orders per cake',
  barChart('Orders per cake', view.cakes.map((cake) => ({ label: cake.productId, value: cake.orders }))),
  table('Orders per cake', ['Cake', 'Orders', 'Cakes'], view.cakes.map((cake) => [cake.productId, cake.orders, cake.cakes])),
)}
${section(
  'cancellations',
  'Cancellations',
  barChart('Cancellations by reason', view.cancellations.map((cancellation) => ({ label: cancellation.reason, value: cancellation.count }))),
  table('Cancellations by reason', ['Reason', 'Orders'], view.cancellations.map((cancellation) => [cancellation.reason, cancellation.count])),
)}
${section(
  'rating',
  'Average rating',
  average === undefined ? html`<p class="hint">No rating yet.</p>` : barChart('Average rating out of 5', [{ label: 'Average rating', value: average }, { label: 'Best possible', value: 5 }], (value) => value.toFixed(2)),
  table('Average rating', ['Average', 'Ratings'], [[average === undefined ? '—' : average.toFixed(2), view.rating.count]]),
)}
${section(
  'durations',
  'Median times',
  barChart('Median times, in minutes', durations.filter(([, figures]) => figures.medianSeconds !== undefined).map(([label, figures]) => ({ label, value: (figures.medianSeconds ?? 0) / 60 })), (minutes) => formatDuration(minutes * 60)),
  table('Median times', ['From … to', 'Median', 'Orders'], durations.map(([label, figures]) => [label, medianText(figures), figures.samples])),
)}`,
  });
}

/** The local dead-letter store: events no target took, with the last error, newest first. */
export function deadLettersPage(letters: readonly DeadLetter[]): SafeHtml {
  const newestFirst = [...letters].reverse();
  return page({
    title: 'Dead letters — cake shop ops',
    body: html`<h1>Dead letters</h1>
<p class="hint">Events the local EventBridge could not deliver to a rule's target after its retries; on AWS each would be in the target's dead-letter queue.</p>
${table(
  `${letters.length} dead letter${letters.length === 1 ? '' : 's'}`,
  ['Dead-lettered at', 'Event', 'Rule', 'Target', 'Why', 'Error'],
  newestFirst.map((letter) => [
    letter.deadLetteredAt,
    `${letter.event['detail-type']} ${String(letter.event.detail.eventId ?? letter.event.id)}`,
    letter.ruleArn.split('/').pop() ?? letter.ruleArn,
    letter.targetArn.split(':').pop() ?? letter.targetArn,
    `${letter.exhaustedRetryCondition} after ${letter.retryAttempts} retries`,
    `${letter.errorCode}: ${letter.errorMessage}`,
  ]),
)}`,
  });
}
