/**
 * The shop's settings, defined once with their defaults. CDK reads overrides from the `cakeShop` context
 * (cdk.json or `-c`); the local stack reads the same keys. `env` names the variable a handler reads.
 */
export const settings = {
  senderEmail: { env: 'SENDER_EMAIL', default: 'orders@cake-shop.example.com' },
  cakeMakerEmail: { env: 'CAKE_MAKER_EMAIL', default: 'baker@cake-shop.example.com' },
  deliveryEmail: { env: 'DELIVERY_EMAIL', default: 'dispatch@delivery.example.com' },
  deliveryWebhookUrl: { env: 'DELIVERY_WEBHOOK_URL', default: '' },
  customerServiceEmail: { env: 'CUSTOMER_SERVICE_EMAIL', default: 'care@cake-shop.example.com' },
  customerServiceWebhookUrl: { env: 'CUSTOMER_SERVICE_WEBHOOK_URL', default: '' },
  /** Comma-separated origins of shop pages on other sites that may call POST /order from a browser (infra/cors.ts). */
  shopOrigins: { default: '' },
  reminderAfterSeconds: { default: 24 * 3600 },
  cancelAfterSeconds: { default: 48 * 3600 },
  deliveryConfirmationTimeoutSeconds: { default: 7 * 24 * 3600 },
  /**
   * The retry budget of every workflow task for transient errors (handler timeouts, throttling, a service down):
   * exponential back-off with full jitter. The README's "Riding out an outage" works out why these ride out a
   * 30-minute email outage: 40 attempts whose caps add up to 10,110 s (2 h 48 min), 5,055 s (84 min) expected.
   */
  retryIntervalSeconds: { default: 2 },
  retryBackoffRate: { default: 2 },
  retryMaxDelaySeconds: { default: 300 },
  retryMaxAttempts: { default: 40 },
  /**
   * A Lambda throttle (Lambda.TooManyRequestsException) is contention that clears as soon as an invocation ends, so
   * it is retried soon, capped at 10 s, and for long: 400 attempts expect about 33 minutes (each waits 5 s on average).
   */
  throttleRetryIntervalSeconds: { default: 1 },
  throttleRetryMaxDelaySeconds: { default: 10 },
  throttleRetryMaxAttempts: { default: 400 },
  opsEmail: { default: '' },
  /** The account's SES maximum send rate (emails/s): 14 is a new production account's, 1 the sandbox's; 0 is no limit. */
  maxSendRate: { env: 'SES_MAX_SEND_RATE', default: 14 },
} as const;

export type SettingName = keyof typeof settings;
export type Settings = { [K in SettingName]: (typeof settings)[K]['default'] extends number ? number : string };

export function resolveSettings(overrides: Partial<Record<SettingName, unknown>> = {}): Settings {
  const resolved: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(settings)) {
    const value = overrides[name as SettingName] ?? setting.default;
    if (typeof value !== typeof setting.default) {
      throw new Error(`Setting cakeShop.${name} must be a ${typeof setting.default}, got ${JSON.stringify(value)}`);
    }
    resolved[name] = value;
  }
  return resolved as Settings;
}

/** The settings a handler reads, under the variable names above: what both targets put in its environment. */
export function settingsEnvironment(resolved: Settings, names: readonly SettingName[]): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const name of names) {
    const setting = settings[name];
    if (!('env' in setting)) throw new Error(`Setting cakeShop.${name} has no environment variable in infra/settings.ts`);
    environment[setting.env] = String(resolved[name]);
  }
  return environment;
}
