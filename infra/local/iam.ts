import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { runUnsafeSimulation } from '@cloud-copilot/iam-simulate';

export interface PolicyDocument {
  Version?: string;
  Statement: unknown[];
}

/** A Lambda function's execution role as its code sees it: an assumed-role session named after the function. */
export interface LocalPrincipal {
  roleArn: string;
  sessionName: string;
  policies: PolicyDocument[];
}

/** A grant taken out of a function's role: every Allow of `action` (e.g. `dynamodb:PutItem`) in its policies. */
export interface RevokedGrant {
  handler: string;
  action: string;
}

/** `LOCAL_IAM_WITHOUT="fulfilOrder=states:SendTaskSuccess placeOrder=dynamodb:PutItem"`, as revoked grants. */
export function revokedGrantsFrom(value: string | undefined): RevokedGrant[] {
  return (value ?? '')
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((entry) => {
      const [handler, action] = entry.split('=');
      if (!handler || !/^[a-z0-9-]+:[A-Za-z0-9*]+$/.test(action ?? '')) {
        throw new Error(`LOCAL_IAM_WITHOUT takes handler=service:Action pairs such as fulfilOrder=states:SendTaskSuccess, got ${JSON.stringify(entry)}`);
      }
      return { handler, action };
    });
}

/** The role with each revoked action taken out of its Allow statements, and a statement left with none dropped. */
export function revokeGrants<R extends { policies: PolicyDocument[] }>(role: R, revoked: readonly RevokedGrant[]): R {
  if (revoked.length === 0) return role;
  const gone = new Set(revoked.map((grant) => grant.action.toLowerCase()));
  const policies = role.policies.map((policy) => ({
    ...policy,
    Statement: policy.Statement.flatMap((statement) => {
      const { Effect, Action } = statement as { Effect?: string; Action?: string | string[] };
      if (Effect !== 'Allow' || Action === undefined) return [statement];
      const kept = [Action].flat().filter((action) => !gone.has(action.toLowerCase()));
      return kept.length === 0 ? [] : [{ ...(statement as object), Action: kept }];
    }),
  }));
  return { ...role, policies };
}

/** The local credentials a function signs its calls with; the services map the key back to its role. */
export function localAccessKeyId(functionName: string): string {
  return `ASIALOCAL${createHash('sha256').update(functionName).digest('hex').slice(0, 11).toUpperCase()}`;
}

/** The access key id of a SigV4 `Authorization` header (`AWS4-HMAC-SHA256 Credential=<key>/<date>/...`). */
export function accessKeyOf(authorization: string | string[] | undefined): string | undefined {
  return /Credential=([^/,\s]+)\//.exec(String(authorization ?? ''))?.[1];
}

/**
 * IAM, enforced on the local services. Each call signed with a function's local key is evaluated against the
 * identity policies of that function's role in the synthesized template, with the real IAM evaluation logic of
 * @cloud-copilot/iam-simulate; a denied call gets AWS's AccessDenied message. Calls signed with any other key (a
 * developer's CLI, the tests' own clients) act as the account's administrator, as on LocalStack. Decisions are
 * cached per role, action and resource: the policies have no conditions and do not change while the stack runs.
 */
export class LocalIam {
  readonly #principals: Map<string, LocalPrincipal>;
  readonly #decisions = new Map<string, string | undefined>();

  /** `onDenied` hears of every denied call, as CloudTrail records each AccessDenied. */
  constructor(
    principals: Record<string, LocalPrincipal>,
    private readonly onDenied: (message: string) => void = () => undefined,
  ) {
    this.#principals = new Map(Object.entries(principals));
  }

  /** The principals by access key, to hand to a worker thread that enforces IAM on its own service. */
  get principals(): Record<string, LocalPrincipal> {
    return Object.fromEntries(this.#principals);
  }

  /** Whether calls signed with this key are checked: a function's key, not a developer's or a test's. */
  governs(accessKeyId: string | undefined): boolean {
    return accessKeyId !== undefined && this.#principals.has(accessKeyId);
  }

  /** Undefined when the call is allowed; otherwise the message AWS gives when it denies it. */
  denial(accessKeyId: string | undefined, action: string, resource: string): string | undefined {
    const principal = accessKeyId === undefined ? undefined : this.#principals.get(accessKeyId);
    return principal && this.principalDenial(principal, action, resource);
  }

  /** As `denial`, for a principal known by other means (the state machine's role, when the engine invokes a task). */
  principalDenial(principal: LocalPrincipal, action: string, resource: string): string | undefined {
    const key = `${principal.roleArn}\n${action}\n${resource}`;
    if (!this.#decisions.has(key)) this.#decisions.set(key, evaluate(principal, action, resource));
    const denied = this.#decisions.get(key);
    if (denied) this.onDenied(denied);
    return denied;
  }
}

function sessionArn(principal: LocalPrincipal): string {
  const [, , , , accountId, role] = principal.roleArn.split(':');
  return `arn:aws:sts::${accountId}:assumed-role/${role.slice('role/'.length)}/${principal.sessionName}`;
}

function evaluate(principal: LocalPrincipal, action: string, resource: string): string | undefined {
  const accountId = principal.roleArn.split(':')[4];
  // The unchecked evaluation: the checked one refuses to evaluate SendTaskSuccess against a resource, since the
  // service authorization reference lists none for it, yet Step Functions authorizes it against the state machine
  // that issued the token (its AccessDenied names that ARN), which is the grant CDK's grantTaskResponse writes.
  const result = runUnsafeSimulation(
    {
      request: { principal: sessionArn(principal), action, resource: { resource, accountId }, contextVariables: {} },
      identityPolicies: principal.policies.map((policy, index) => ({ name: `policy${index}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result === 'Allowed') return undefined;
  const denied = `User: ${sessionArn(principal)} is not authorized to perform: ${action} on resource: ${resource}`;
  return result === 'ExplicitlyDenied'
    ? `${denied} with an explicit deny in an identity-based policy`
    : `${denied} because no identity-based policy allows the ${action} action`;
}

/**
 * Reads a request's body for an authorization decision, and gives back a copy of the request with that body still
 * to read, for the service (dynalite, aws-ses-v2-local) that reads it itself.
 */
export async function readAndReplay(request: IncomingMessage): Promise<{ body: string; replay: IncomingMessage }> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  // A plain stream with the request's fields: dynalite and express read no more of a request than these.
  // `complete`, as on the message it replays: express gives the replay IncomingMessage's prototype, whose
  // destroy at the end of the body would otherwise take an incomplete message for an aborted one and close the
  // keep-alive connection under it.
  const replay = new Readable({ read: () => undefined });
  if (body.length > 0) replay.push(body);
  replay.push(null);
  Object.assign(replay, {
    headers: request.headers,
    rawHeaders: request.rawHeaders,
    method: request.method,
    url: request.url,
    httpVersion: request.httpVersion,
    socket: request.socket,
    complete: true,
  });
  return { body: body.toString('utf8'), replay: replay as unknown as IncomingMessage };
}
