import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { settings } from '../../infra/settings';
import { tables } from '../../infra/tables';
import { awsClientConfig } from './aws-client-config';
import { asWorkflowError } from './aws-errors';
import { readConfig } from './config';
import { SendRate } from './send-rate';

const ses = new SESv2Client(awsClientConfig);

const rateConfig = readConfig({ maxSendRate: settings.maxSendRate.env, tableName: tables.idempotency.env });
const maxPerSecond = Number(rateConfig.maxSendRate);
if (!Number.isInteger(maxPerSecond) || maxPerSecond < 0) {
  throw new Error(`${settings.maxSendRate.env} must be a whole number of emails per second (0 for no limit), got ${rateConfig.maxSendRate}`);
}
const accountSendRate = new SendRate({ maxPerSecond, tableName: rateConfig.tableName });

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
    private readonly sendRate: SendRate = accountSendRate,
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
