import { randomInt, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import * as path from 'node:path';
import { accessKeyOf, type LocalIam } from './iam';
import { closeServer, listen, localHost, portSpecs } from './ports';

/** A secret of the synthesized stack, generated as its `GenerateSecretString` says. */
export interface LocalSecretSpec {
  arn: string;
  description?: string;
  passwordLength: number;
  excludePunctuation: boolean;
}

interface StoredSecret {
  arn: string;
  name: string;
  description?: string;
  versionId: string;
  value: string;
  createdDate: number;
}

const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const punctuation = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

function generate(spec: LocalSecretSpec): string {
  const alphabet = spec.excludePunctuation ? letters : letters + punctuation;
  return Array.from({ length: spec.passwordLength }, () => alphabet[randomInt(alphabet.length)]).join('');
}

/** The secret's name: its ARN's last part, which on AWS ends in a six-character suffix that is not part of the name. */
const nameOf = (arn: string) => arn.split(':secret:')[1] ?? arn;

export interface LocalSecretsManagerOptions {
  port: number;
  dataDir: string;
  secrets: LocalSecretSpec[];
  iam?: LocalIam;
}

/**
 * Secrets Manager for the secrets the stack declares, over its JSON protocol, so the handlers' SDK reaches it
 * through AWS_ENDPOINT_URL_SECRETS_MANAGER. Each secret is generated on the first start, as CloudFormation generates
 * it on the first deploy, and kept in `<dataDir>/secrets.json` so a partner's copy of a signing key stays valid across
 * restarts. Calls signed by a function are checked against its role (secretsmanager:GetSecretValue on the secret).
 */
export class LocalSecretsManager {
  #server: Server | undefined;
  readonly #secrets: StoredSecret[];

  constructor(private readonly options: LocalSecretsManagerOptions) {
    const file = path.join(options.dataDir, 'secrets.json');
    const kept: StoredSecret[] = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as StoredSecret[]) : [];
    this.#secrets = options.secrets.map(
      (spec) =>
        kept.find((secret) => secret.arn === spec.arn) ?? {
          arn: spec.arn,
          name: nameOf(spec.arn),
          description: spec.description,
          versionId: randomUUID(),
          value: generate(spec),
          createdDate: Date.now() / 1000,
        },
    );
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(this.#secrets), { mode: 0o600 });
    fs.renameSync(`${file}.tmp`, file);
  }

  get endpoint(): string {
    return `http://${localHost}:${this.options.port}`;
  }

  async start(): Promise<void> {
    const server = createServer((request, response) => void this.#handle(request, response));
    this.options.port = await listen(server, this.options.port, portSpecs.secretsManager);
    this.#server = server;
  }

  async stop(): Promise<void> {
    if (this.#server) await closeServer(this.#server);
    this.#server = undefined;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const send = (status: number, body: object) => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(body));
    };
    const action = String(request.headers['x-amz-target'] ?? '').replace(/^secretsmanager\./, '');
    if (action !== 'GetSecretValue' && action !== 'DescribeSecret') {
      send(400, { __type: 'UnknownOperationException', message: `The local Secrets Manager answers GetSecretValue and DescribeSecret, not ${action || 'this request'}` });
      return;
    }
    let secretId: unknown;
    try {
      secretId = (JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { SecretId?: unknown }).SecretId;
    } catch {
      send(400, { __type: 'SerializationException', message: 'The request body is not JSON' });
      return;
    }
    const secret = this.#secrets.find((candidate) => candidate.arn === secretId || candidate.name === secretId);
    const denied = this.options.iam?.denial(accessKeyOf(request.headers.authorization), `secretsmanager:${action}`, secret?.arn ?? String(secretId));
    if (denied) {
      send(400, { __type: 'AccessDeniedException', Message: denied });
      return;
    }
    if (!secret) {
      send(400, { __type: 'ResourceNotFoundException', Message: "Secrets Manager can't find the specified secret." });
      return;
    }
    if (action === 'DescribeSecret') {
      send(200, { ARN: secret.arn, Name: secret.name, Description: secret.description, CreatedDate: secret.createdDate, VersionIdsToStages: { [secret.versionId]: ['AWSCURRENT'] } });
      return;
    }
    send(200, { ARN: secret.arn, Name: secret.name, VersionId: secret.versionId, SecretString: secret.value, VersionStages: ['AWSCURRENT'], CreatedDate: secret.createdDate });
  }
}
