import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { awsClientConfig } from './aws-client-config';
import { asWorkflowError } from './aws-errors';

const ses = new SESv2Client(awsClientConfig);

export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

/** Sends the shop's emails through SES from the configured sender. */
export class Mailer {
  constructor(
    private readonly sender: string,
    private readonly client: SESv2Client = ses,
  ) {}

  async send(to: string, message: EmailMessage): Promise<void> {
    try {
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
