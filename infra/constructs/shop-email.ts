import { ArnFormat, CfnOutput, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import type { Settings } from '../settings';
import type { OpsAlarms } from './ops-alarms';

/** How the shop's SES account is set up: the `ses` object of the `cakeShop` context. AWS only. */
export interface EmailDeployment {
  /**
   * `sandbox` while the account is in the SES sandbox, where only verified addresses receive email and IAM
   * authorizes a send against each recipient's identity too; `production` once SES granted production access.
   */
  account: 'sandbox' | 'production';
  /**
   * `create` makes the sender address an SES identity (SES mails it a link to click); `existing` uses an identity
   * already verified in this account and region, since creating one that exists fails the deploy.
   */
  senderIdentity: 'create' | 'existing';
  /** Sandbox only: the customer addresses test orders use, each verified or an SES mailbox simulator address. */
  testCustomerEmails: string[];
}

export const emailDeploymentDefaults: EmailDeployment = { account: 'sandbox', senderIdentity: 'create', testCustomerEmails: [] };

/** Reads the `ses` context object, naming the key and the values it takes when one is wrong. */
export function resolveEmailDeployment(context: unknown = {}): EmailDeployment {
  if (typeof context !== 'object' || context === null || Array.isArray(context)) {
    throw new Error(`Setting cakeShop.ses must be an object like ${JSON.stringify(emailDeploymentDefaults)}`);
  }
  const given = { ...emailDeploymentDefaults, ...(context as Partial<Record<keyof EmailDeployment, unknown>>) };
  const unknownKeys = Object.keys(context).filter((key) => !(key in emailDeploymentDefaults));
  if (unknownKeys.length > 0) {
    throw new Error(`Setting cakeShop.ses has unknown keys ${unknownKeys.join(', ')}; it takes ${Object.keys(emailDeploymentDefaults).join(', ')}`);
  }
  const oneOf = <T extends string>(key: keyof EmailDeployment, values: readonly T[]): T => {
    const value = given[key];
    if (!values.includes(value as T)) {
      throw new Error(`Setting cakeShop.ses.${key} must be ${values.map((v) => `"${v}"`).join(' or ')}, got ${JSON.stringify(value)}`);
    }
    return value as T;
  };
  const testCustomerEmails = given.testCustomerEmails;
  if (!Array.isArray(testCustomerEmails) || !testCustomerEmails.every((entry) => typeof entry === 'string')) {
    throw new Error(`Setting cakeShop.ses.testCustomerEmails must be a list of addresses, got ${JSON.stringify(testCustomerEmails)}`);
  }
  return {
    account: oneOf('account', ['sandbox', 'production'] as const),
    senderIdentity: oneOf('senderIdentity', ['create', 'existing'] as const),
    testCustomerEmails,
  };
}

/** Domains reserved for examples and tests (RFC 2606, RFC 6761): nobody can receive mail there or verify them. */
const reservedDomain = /(^|\.)(example\.(com|net|org)|example|test|invalid|localhost)$/i;
/** The SES mailbox simulator receives without verification, but no one can send as it. */
const mailboxSimulator = /(^|\.)simulator\.amazonses\.com$/i;
const address = /^[^\s@]+@([^\s@]+\.[^\s@]+)$/;

/** One entry per address the shop would send from or to that SES could never deliver, each naming its setting. */
export function unverifiableAddresses(settings: Settings, deployment: EmailDeployment): string[] {
  const problems: string[] = [];
  const check = (name: string, value: string, { sender = false } = {}): void => {
    const domain = address.exec(value)?.[1];
    if (!domain) problems.push(`cakeShop.${name} ${JSON.stringify(value)} is not an email address.`);
    else if (reservedDomain.test(domain)) {
      problems.push(`cakeShop.${name} ${JSON.stringify(value)} is at ${domain}, a domain reserved for examples that SES can never verify.`);
    } else if (sender && mailboxSimulator.test(domain)) {
      problems.push(`cakeShop.${name} ${JSON.stringify(value)} is the SES mailbox simulator, which receives but cannot be a sender.`);
    }
  };
  check('senderEmail', settings.senderEmail, { sender: true });
  for (const [name, value] of Object.entries(recipientSettings(settings))) check(name, value);
  if (settings.opsEmail) check('opsEmail', settings.opsEmail);
  if (deployment.account === 'sandbox') {
    deployment.testCustomerEmails.forEach((value, index) => check(`ses.testCustomerEmails[${index}]`, value));
    if (deployment.testCustomerEmails.length === 0) {
      problems.push(
        'cakeShop.ses.testCustomerEmails is empty while cakeShop.ses.account is "sandbox": the sandbox delivers only to ' +
          'verified addresses, so every order would fail at its confirmation email. List the addresses test orders ' +
          'use (each verified, or success@simulator.amazonses.com), or set account to "production" once SES granted it.',
      );
    }
  }
  return problems;
}

/** The configured addresses the shop emails: a partner reached by webhook gets no email. */
function recipientSettings(settings: Settings): Record<string, string> {
  return {
    cakeMakerEmail: settings.cakeMakerEmail,
    ...(settings.deliveryWebhookUrl ? {} : { deliveryEmail: settings.deliveryEmail }),
    ...(settings.customerServiceWebhookUrl ? {} : { customerServiceEmail: settings.customerServiceEmail }),
  };
}

export interface ShopEmailProps {
  settings: Settings;
  deployment: EmailDeployment;
  /** Where bounces and complaints go: ops, who can fix an address before the next order. */
  alarms: OpsAlarms;
  /**
   * Refuse to build while an address could never be delivered (the default). The local target reads its roles from
   * this stack with its example.com addresses; its email service delivers to any address.
   */
  verifyAddresses?: boolean;
}

/**
 * The shop's sending on SES: the sender identity, a configuration set that reports bounces and complaints to ops,
 * and the grant that lets a handler send. Refuses to build while any address could never be delivered.
 */
export class ShopEmail extends Construct {
  readonly identity: ses.IEmailIdentity;
  readonly configurationSet: ses.ConfigurationSet;
  /** Every resource SES authorizes a send against: sender identity, configuration set and, in the sandbox, recipients. */
  private readonly sendResources: string[];

  constructor(scope: Construct, id: string, props: ShopEmailProps) {
    super(scope, id);
    const { settings, deployment } = props;

    const problems = props.verifyAddresses === false ? [] : unverifiableAddresses(settings, deployment);
    if (problems.length > 0) {
      throw new Error(
        `The cake shop cannot send its emails through SES with these settings:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\n` +
          `Set them in the cakeShop context (cdk.json, or -c cakeShop='{...}'); README "Deploying to AWS" has the SES steps.`,
      );
    }

    const stack = Stack.of(this);
    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', { reputationMetrics: true });
    const configurationSetArn = stack.formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    // The event destination writes the topic policy statement for SES; the topic's key is ours to open.
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: ses.EventDestination.snsTopic(props.alarms.topic),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });
    props.alarms.allowEncrypting('ses.amazonaws.com', configurationSetArn);

    if (deployment.senderIdentity === 'create') {
      this.identity = new ses.EmailIdentity(this, 'SenderIdentity', {
        identity: ses.Identity.email(settings.senderEmail),
        configurationSet: this.configurationSet,
      });
    } else {
      // CloudFormation can attach a default configuration set only to an identity it creates; the README gives the
      // one command that attaches it to an existing identity, named by this output.
      this.identity = ses.EmailIdentity.fromEmailIdentityName(this, 'SenderIdentity', settings.senderEmail);
      new CfnOutput(stack, 'EmailConfigurationSetName', {
        description: 'Attach to the existing sender identity as its default configuration set (README "Deploying to AWS")',
        value: this.configurationSet.configurationSetName,
      });
    }

    const identityArn = (emailAddress: string): string =>
      stack.formatArn({ service: 'ses', resource: 'identity', resourceName: emailAddress, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const sandboxRecipients =
      deployment.account === 'sandbox'
        ? [...new Set([...Object.values(recipientSettings(settings)), ...deployment.testCustomerEmails])]
        : [];
    this.sendResources = [this.identity.emailIdentityArn, configurationSetArn, ...sandboxRecipients.map(identityArn)];
  }

  /**
   * Lets a handler call SES v2 SendEmail, the one call the Mailer makes, as the sender identity only. SES also
   * authorizes a send against the identity's default configuration set, and in the sandbox against each recipient.
   */
  grantSend(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['ses:SendEmail'], resources: this.sendResources }),
    );
  }
}
