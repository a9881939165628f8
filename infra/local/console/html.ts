import type { ServerResponse } from 'node:http';
import { html, type SafeHtml } from '../../../functions/lib/html';

export { html, SafeHtml } from '../../../functions/lib/html';

function policy(styleSource: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src ${styleSource}`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

const headersWith = (csp: string): Readonly<Record<string, string>> => ({
  'Content-Security-Policy': csp,
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  // Not no-referrer: under it Chromium sends `Origin: null` with form posts, and the cross-site check needs the real origin.
  'Referrer-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
});

export const securityHeaders = headersWith(policy("'self'"));

/**
 * Mermaid styles the SVG it draws with inline style attributes made at run time, which no hash or nonce can
 * cover, so only pages with a drawing allow inline styles. Scripts stay 'self' (mermaid needs no eval),
 * which is what keeps injected markup inert.
 */
export const drawingSecurityHeaders = headersWith(policy("'self' 'unsafe-inline'"));

export interface PageOptions {
  title: string;
  body: SafeHtml;
  /** Scripts from /ops/assets; pages work without them. */
  scripts?: readonly string[];
  /** Extra `<head>` markup, e.g. a no-script refresh while an execution runs. */
  head?: SafeHtml;
  nav?: boolean;
}

export function page({ title, body, scripts = [], head, nav = true }: PageOptions): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/ops/assets/console.css">
${head}
${scripts.map((script) => html`<script src="/ops/assets/${script}" defer></script>`)}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
${nav ? html`<header><nav aria-label="Main"><a href="/">Cake shop</a> <a href="/ops">Executions</a> <a href="/ops/sales">Sales</a> <a href="/ops/dead-letters">Dead letters</a></nav></header>` : ''}
<main id="main">
${body}
</main>
</body>
</html>
`;
}

export function sendHtml(res: ServerResponse, status: number, markup: SafeHtml, options: { drawing?: boolean } = {}): void {
  res.writeHead(status, {
    ...(options.drawing ? drawingSecurityHeaders : securityHeaders),
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  res.end(markup.value);
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { ...securityHeaders, Location: location, 'Cache-Control': 'no-store' });
  res.end();
}
