import { createHash } from 'node:crypto';
import type { HttpResult } from '../http';
import { html, SafeHtml } from '../html';

/** The shop's colours, shared by the pages and the emails so a button in an email opens a page that looks the same. */
export const palette = { brand: '#7a2e4d', brandDark: '#5e2139', ink: '#1a1a1a', muted: '#4a4440', paper: '#fbf7f4', line: '#d8cfc9', focus: '#1f5fbf' } as const;

const styles = `
:root{color-scheme:light}
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:1.0625rem;line-height:1.5;color:${palette.ink};background:${palette.paper}}
main{max-width:40rem;margin:0 auto;padding:1.25rem 1rem 3rem}
header{background:${palette.brand};color:#fff;padding:0.75rem 1rem}
header p{max-width:40rem;margin:0 auto;font-weight:700}
h1{font-size:1.6rem;line-height:1.25;margin:1rem 0}
dl{display:grid;grid-template-columns:minmax(7rem,max-content) 1fr;gap:0.4rem 1rem;margin:1rem 0;padding:1rem;background:#fff;border:1px solid ${palette.line};border-radius:0.5rem}
dt{font-weight:700}
dd{margin:0;white-space:pre-line;overflow-wrap:anywhere}
fieldset{border:1px solid ${palette.line};border-radius:0.5rem;padding:0.75rem 1rem;margin:1rem 0;background:#fff}
legend{font-weight:700;padding:0 0.25rem}
.ratings{display:grid;grid-template-columns:repeat(5,minmax(0,4.5rem));gap:0.4rem}
.ratings label{display:flex;align-items:center;justify-content:center;gap:0.35rem;padding:0.5rem;border:1px solid #8a7f78;border-radius:0.375rem;background:#fff;min-height:2.75rem}
label{font-weight:600}
textarea{display:block;width:100%;min-height:6rem;margin-top:0.35rem;padding:0.5rem;font:inherit;border:1px solid #6b625c;border-radius:0.375rem}
button{font:inherit;font-weight:700;color:#fff;background:${palette.brand};border:0;border-radius:0.375rem;padding:0.8rem 1.4rem;min-height:2.75rem;cursor:pointer;width:100%}
@media (min-width:40rem){button{width:auto}}
@media (max-width:30rem){dl{grid-template-columns:1fr;gap:0}dd{margin-bottom:0.5rem}}
button:hover{background:${palette.brandDark}}
a{color:${palette.brandDark}}
:focus-visible{outline:3px solid ${palette.focus};outline-offset:2px}
.hint{color:${palette.muted};font-size:0.95rem}
.notice{padding:0.75rem 1rem;border-left:0.35rem solid ${palette.brand};background:#fff}
ol.timeline{padding-left:1.25rem}
ol.timeline li{margin:0.4rem 0}
`;

const styleHash = `sha256-${createHash('sha256').update(styles, 'utf8').digest('base64')}`;

/**
 * Security headers for every page. The link code sits in the page's URL, hence no-referrer and no-store.
 * Styles are allowed by hash so no inline script or foreign stylesheet can run.
 */
export function pageHeaders(publicBaseUrl: string): Record<string, string> {
  let formTargets = "'self'";
  try {
    formTargets += ` ${new URL(publicBaseUrl).origin}`;
  } catch {
    // A malformed base URL only narrows form-action to 'self'.
  }
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': `default-src 'none'; style-src '${styleHash}'; form-action ${formTargets}; frame-ancestors 'none'; base-uri 'none'`,
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  };
}

export interface Page {
  statusCode: number;
  title: string;
  content: SafeHtml;
}

export function renderPage(page: Page, publicBaseUrl: string): HttpResult {
  const document = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${page.title} – The Cake Shop</title>
<style>${new SafeHtml(styles)}</style>
</head>
<body>
<header><p>The Cake Shop</p></header>
<main>
<h1>${page.title}</h1>
${page.content}
</main>
</body>
</html>`;
  return { statusCode: page.statusCode, headers: pageHeaders(publicBaseUrl), body: document.value };
}
