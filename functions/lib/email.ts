import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { settings } from '../../infra/settings';
import { tables } from '../../infra/tables';
import { awsClientConfig } from './aws-client-config';
import { asWorkflowError } from './aws-errors';
import { readConfig } from './config';
import { SendRate } from './send-rate';

const ses = new SESv2Client(awsClientConfig);

let accountSendRate: SendRate | undefined;

/** The account's sending rate as this function's environment configures it, read once at the first Mailer. */
function sendRateFromEnvironment(): SendRate {
  if (accountSendRate) return accountSendRate;
  const config = readConfig({ maxSendRate: settings.maxSendRate.env, tableName: tables.idempotency.env });
  const maxPerSecond = Number(config.maxSendRate);
  if (!Number.isInteger(maxPerSecond) || maxPerSecond < 0) {
    throw new Error(`${settings.maxSendRate.env} must be a whole number of emails per second (0 for no limit), got ${config.maxSendRate}`);
  }
  accountSendRate = new SendRate({ maxPerSecond, tableName: config.tableName });
  return accountSendRate;
}

export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

/** Sends the shop's emails through SES from the configured sender, within the account's sending rate. */
export class Mailer {
  constructor(
    private readonly sender: string,
    private readonly client: SESv2Client = ses,
    // Handlers make their Mailer at module scope, so a missing variable stops the cold start.
    private readonly sendRate: SendRate = sendRateFromEnvironment(),
  ) {}

  async send(to: string, message: EmailMessage): Promise<void> {
    try {
      await this.sendRate.acquire();
      await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: this.sender,
          Destination: { ToAddresses: [to] },
          Content: {
            Simple: {
              Subject: { Data: message.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: message.text, Charset: 'UTF-8' }, Html: { Data: message.html, Charset: 'UTF-8' } },
            },
          },
        }),
      );
    } catch (error) {
      throw withoutAddresses(asWorkflowError(error, 'Email (SES)'));
    }
  }
}

/**
 * SES rejections can quote the addresses involved, and a task's error ends up in the Lambda log and in the
 * execution history. The error keeps its name, which is all the workflow and ops act on.
 */
function withoutAddresses(error: unknown): unknown {
  if (!(error instanceof Error) || error.name === 'DependencyUnavailable') return error;
  const named = new Error(`SES did not accept the email (${error.name})`);
  named.name = error.name;
  return named;
}
