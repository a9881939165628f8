import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  path: string;
  body: Record<string, unknown>;
  /** Whether the signature header is the HMAC-SHA256 of the raw body under the key the receiver holds. */
  signatureValid: boolean;
}

/**
 * A partner's webhook endpoint, as the delivery company would run one: it checks each request's
 * `X-Cake-Shop-Signature` (`sha256=<hex HMAC of the raw body>`) against its copy of the shop's signing key, answers
 * 401 to a wrong one and 204 to a right one, and keeps what it received.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  #key = '';

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const expected = Buffer.from(`sha256=${createHmac('sha256', receiver.#key).update(raw, 'utf8').digest('hex')}`);
        const given = Buffer.from(String(request.headers['x-cake-shop-signature'] ?? ''));
        const signatureValid = receiver.#key !== '' && given.length === expected.length && timingSafeEqual(given, expected);
        receiver.received.push({ path: request.url ?? '', body: JSON.parse(raw) as Record<string, unknown>, signatureValid });
        response.writeHead(signatureValid ? 204 : 401).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  /** The partner's copy of the signing key, handed over by ops. */
  holdKey(key: string): void {
    this.#key = key;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
