/** One email as aws-ses-v2-local's `GET /store` lists it. */
export interface SentEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  /** Epoch seconds. */
  at: number;
}

/** Where the tests read the emails the shop sent. */
export interface Mailbox {
  all(): Promise<SentEmail[]>;
}

/** The inbox of aws-ses-v2-local, or of anything that serves the same `GET /store`. */
export class StoreMailbox implements Mailbox {
  constructor(private readonly baseUrl: string) {}

  async all(): Promise<SentEmail[]> {
    const response = await fetch(`${this.baseUrl}/store`);
    if (!response.ok) throw new Error(`GET ${this.baseUrl}/store answered ${response.status}`);
    return ((await response.json()) as { emails: SentEmail[] }).emails;
  }
}

export interface EmailQuery {
  to: string;
  /** Matched against the subject. */
  subject: string | RegExp;
  /** Text the body must contain, such as the order id. */
  mentioning?: string;
}

/** Whether the email's text or HTML body contains `text`, such as an order id. */
export function mentions(email: SentEmail, text: string): boolean {
  return `${email.body.text ?? ''}\n${email.body.html ?? ''}`.includes(text);
}

export function matches(email: SentEmail, query: EmailQuery): boolean {
  const subjectMatches = typeof query.subject === 'string' ? email.subject.includes(query.subject) : query.subject.test(email.subject);
  return email.destination.to.includes(query.to) && subjectMatches && (query.mentioning === undefined || mentions(email, query.mentioning));
}

export function describeQuery(query: EmailQuery): string {
  return `an email to ${query.to} with subject ${String(query.subject)}${query.mentioning ? ` mentioning ${query.mentioning}` : ''}`;
}

/** Every email matching `query`, in the order they were sent. */
export async function emailsMatching(mailbox: Mailbox, query: EmailQuery): Promise<SentEmail[]> {
  return (await mailbox.all()).filter((email) => matches(email, query));
}

/**
 * Polls until an email matching `query` arrives. Email is sent by workflow tasks after the request that caused
 * it has returned, so the test waits for the outcome rather than for a fixed time.
 */
export async function waitForEmail(mailbox: Mailbox, query: EmailQuery, timeoutMs = 30_000): Promise<SentEmail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [found] = await emailsMatching(mailbox, query);
    if (found) return found;
    if (Date.now() > deadline) {
      const seen = (await mailbox.all()).map((email) => `  to ${email.destination.to.join(', ')}: ${email.subject}`).join('\n');
      throw new Error(`No ${describeQuery(query)} arrived within ${timeoutMs} ms. Emails so far:\n${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The links in an email's text part, where the shop writes every action link in full. */
export function linksIn(email: SentEmail): string[] {
  return (email.body.text ?? '').match(/https?:\/\/[^\s<>"]+/g) ?? [];
}

/** The one link in the email whose path ends with `/<page>` (cancel, fulfill, delivered). */
export function linkTo(email: SentEmail, page: string): string {
  const found = linksIn(email).filter((link) => new URL(link).pathname.endsWith(`/${page}`));
  if (found.length !== 1) throw new Error(`Expected one /${page} link in "${email.subject}", found ${found.length}`);
  return found[0];
}
