import { createHmac } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { asWorkflowError } from './aws-errors';
import { DependencyUnavailable } from './errors';
import { awsClientConfig } from './aws-client-config';

const secretsManager = new SecretsManagerClient(awsClientConfig);

export const signatureHeader = 'X-Cake-Shop-Signature';
export const timestampHeader = 'X-Cake-Shop-Timestamp';

export function signWebhookBody(key: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', key).update(rawBody, 'utf8').digest('hex')}`;
}

/**
 * Posts signed JSON to a partner. The key is fetched on first use only, so a function whose webhook URL is
 * not set never needs the secret, and a warm container does not fetch it again.
 */
export class WebhookSender {
  private key: Promise<string> | undefined;

  constructor(
    private readonly secretArn: string,
    private readonly client: SecretsManagerClient = secretsManager,
    private readonly timeoutMs = 10_000,
  ) {}

  async post(url: string, payload: Record<string, unknown>): Promise<void> {
    const key = await this.signingKey();
    const rawBody = JSON.stringify(payload);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          [timestampHeader]: String(Math.floor(Date.now() / 1000)),
          [signatureHeader]: signWebhookBody(key, rawBody),
        },
        body: rawBody,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new DependencyUnavailable(`Webhook did not answer (${error instanceof Error ? error.name : 'network error'})`);
    }
    await response.body?.cancel();
    if (response.status < 200 || response.status > 299) {
      throw new DependencyUnavailable(`Webhook answered HTTP ${response.status}`);
    }
  }

  private signingKey(): Promise<string> {
    if (!this.secretArn) return Promise.reject(new Error('Missing environment variable: WEBHOOK_SECRET_ARN'));
    this.key ??= this.fetchKey().catch((error: unknown) => {
      this.key = undefined;
      throw error;
    });
    return this.key;
  }

  private async fetchKey(): Promise<string> {
    try {
      const secret = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretArn }));
      if (!secret.SecretString) throw new Error('The webhook secret has no string value');
      return secret.SecretString;
    } catch (error) {
      throw asWorkflowError(error, 'Secrets Manager');
    }
  }
}
