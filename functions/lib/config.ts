/**
 * Reads the environment once, at import, so a misconfigured function fails on its first cold start with the
 * names of every missing variable instead of half-way through an order.
 */
export function readConfig<Required extends string, Optional extends string = never>(
  required: Record<Required, string>,
  optional: Record<Optional, string> = {} as Record<Optional, string>,
): Record<Required | Optional, string> {
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const [key, variable] of Object.entries<string>(required)) {
    const value = process.env[variable];
    if (value === undefined || value === '') missing.push(variable);
    else values[key] = value;
  }
  if (missing.length > 0) {
    throw new Error(`Missing environment variable${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
  }
  for (const [key, variable] of Object.entries<string>(optional)) {
    values[key] = process.env[variable] ?? '';
  }
  return values as Record<Required | Optional, string>;
}

/** Environment variables shared by several handlers; settings come from infra/settings.ts. */
export const commonEnv = {
  publicBaseUrl: 'PUBLIC_BASE_URL',
  stateMachineArn: 'STATE_MACHINE_ARN',
  webhookSecretArn: 'WEBHOOK_SECRET_ARN',
  /** The order events bus, for the one handler that re-publishes what the workflow could not (events:PutEvents on it only). */
  orderEventBusArn: 'ORDER_EVENT_BUS_ARN',
  /** Only where an ops console serves execution pages (the local stack's `/ops`, see linksToOpsConsole); CDK never sets it. */
  opsConsoleUrl: 'OPS_CONSOLE_URL',
} as const;
