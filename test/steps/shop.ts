import * as fs from 'node:fs';
import * as path from 'node:path';
import { SFNClient } from '@aws-sdk/client-sfn';
import { resolveSettings, type Settings } from '../../infra/settings';
import { LocalStack } from '../support/local-stack';
import { StoreMailbox, type Mailbox } from '../support/mailbox';

/**
 * Which shop the scenarios drive: `local` (default) starts `npm start` for the test file; `aws` drives a deployed
 * stack named by SHOP_API_URL and STATE_MACHINE_ARN, reading email from MAILBOX_URL when one is given.
 */
export const target = process.env.TEST_TARGET === 'aws' ? 'aws' : 'local';

export interface Shop {
  apiUrl: string;
  stateMachineArn: string;
  stepFunctions: SFNClient;
  /** Absent on a deployed stack without a readable inbox. */
  mailbox?: Mailbox;
  people: { cakeMaker: string; delivery: string; customerService: string };
  /** The local-only powers: test clock, email outage, kill and restart. */
  local?: LocalStack;
}

/** The shop's settings from the same cdk.json context both stacks read: its people and its waiting times. */
export function shopSettings(): Settings {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context?: { cakeShop?: object } };
  return resolveSettings(cdkJson.context?.cakeShop ?? {});
}

function people(): Shop['people'] {
  const settings = shopSettings();
  return { cakeMaker: settings.cakeMakerEmail, delivery: settings.deliveryEmail, customerService: settings.customerServiceEmail };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`TEST_TARGET=aws needs ${name}`);
  return value;
}

export async function openShop(): Promise<Shop> {
  if (target === 'aws') {
    return {
      apiUrl: required('SHOP_API_URL').replace(/\/+$/, ''),
      stateMachineArn: required('STATE_MACHINE_ARN'),
      stepFunctions: new SFNClient({}),
      mailbox: process.env.MAILBOX_URL ? new StoreMailbox(process.env.MAILBOX_URL) : undefined,
      people: people(),
    };
  }
  const local = await LocalStack.start();
  return localShop(local);
}

export function localShop(local: LocalStack): Shop {
  return {
    apiUrl: local.urls.shop,
    stateMachineArn: local.stateMachineArn,
    stepFunctions: new SFNClient({
      endpoint: local.urls.stepFunctions,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    mailbox: new StoreMailbox(local.urls.email),
    people: people(),
    local,
  };
}

export async function closeShop(shop: Shop | undefined): Promise<void> {
  shop?.stepFunctions.destroy();
  await shop?.local?.stop();
}

type TestFn = () => Promise<void>;

/**
 * A scenario that needs a power only the local stack has. Against a deployed stack it is reported as skipped,
 * with the reason in its name, rather than silently passing.
 */
export function localOnly(power: string): (name: string, fn: TestFn, timeout?: number) => void {
  if (target === 'local') return test;
  return (name, fn, timeout) => test.skip(`${name} [needs ${power}: local stack only]`, fn, timeout);
}

/** A scenario that reads the shop's emails: skipped against a deployed stack with no MAILBOX_URL. */
export function readsEmail(): (name: string, fn: TestFn, timeout?: number) => void {
  if (target === 'local' || process.env.MAILBOX_URL) return test;
  return (name, fn, timeout) => test.skip(`${name} [reads email: set MAILBOX_URL to an inbox serving GET /store]`, fn, timeout);
}

export function mailboxOf(shop: Shop): Mailbox {
  if (!shop.mailbox) throw new Error('This scenario reads email: set MAILBOX_URL');
  return shop.mailbox;
}

export function localPowers(shop: Shop): LocalStack {
  if (!shop.local) throw new Error('This scenario needs the local stack');
  return shop.local;
}
