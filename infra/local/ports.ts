import { createServer, type Server } from 'node:http';

export interface PortSpec {
  /** Environment variable that overrides the port. */
  env: string;
  default: number;
  /** What listens there, in the words the start-up error uses. */
  service: string;
}

/** Every port the one-machine stack opens, with the variable that moves it. */
export const portSpecs = {
  shop: { env: 'SHOP_PORT', default: 3000, service: 'the shop API' },
  dynamodb: { env: 'DYNAMODB_PORT', default: 8000, service: 'DynamoDB (dynalite)' },
  email: { env: 'SES_PORT', default: 8005, service: 'email (aws-ses-v2-local)' },
  stepFunctions: { env: 'SFN_PORT', default: 8083, service: 'Step Functions' },
  secretsManager: { env: 'SECRETS_MANAGER_PORT', default: 8006, service: 'Secrets Manager' },
  eventBridge: { env: 'EVENTBRIDGE_PORT', default: 8007, service: 'EventBridge' },
} as const satisfies Record<string, PortSpec>;

export type PortName = keyof typeof portSpecs;
export type Ports = Record<PortName, number>;

/** Everything listens on loopback only: the stack has no authentication. */
export const localHost = '127.0.0.1';

/** A port variable that cannot work as set; the message says which and why. */
export class PortSettingInvalid extends Error {
  override name = 'PortSettingInvalid' as const;
}

export function resolvePorts(env: NodeJS.ProcessEnv = process.env): Ports {
  const ports = {} as Ports;
  for (const [name, spec] of Object.entries(portSpecs) as [PortName, PortSpec][]) {
    const raw = env[spec.env];
    if (raw === undefined || raw === '') {
      ports[name] = spec.default;
      continue;
    }
    const port = Number(raw);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new PortSettingInvalid(`${spec.env} must be a port number from 0 to 65535, got ${JSON.stringify(raw)}`);
    }
    ports[name] = port;
  }
  const taken = new Map<number, PortSpec>();
  for (const [name, port] of Object.entries(ports) as [PortName, number][]) {
    const other = taken.get(port);
    if (other) throw new PortSettingInvalid(`${other.env} and ${portSpecs[name].env} both ask for port ${port}: give each service its own port`);
    if (port !== 0) taken.set(port, portSpecs[name]);
  }
  return ports;
}

export class PortInUse extends Error {
  override name = 'PortInUse' as const;

  constructor(readonly port: number, readonly spec: PortSpec) {
    super(
      `Port ${port} for ${spec.service} is already in use. Stop whatever holds it, or pick another port, e.g. ${spec.env}=${port + 1} npm start`,
    );
  }
}

/** Turns the bare EADDRINUSE of `listen` into an error that names the service and the variable that moves it. */
export function explainListenError(error: unknown, port: number, spec: PortSpec): unknown {
  return (error as NodeJS.ErrnoException)?.code === 'EADDRINUSE' ? new PortInUse(port, spec) : error;
}

/** Listens on loopback and resolves with the bound port, which differs from `port` when it is 0. */
export function listen(server: Server, port: number, spec: PortSpec): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(explainListenError(error, port, spec));
    server.once('error', onError);
    server.listen(port, localHost, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close((error) => (error ? reject(error) : resolve()));
    // Keep-alive connections would otherwise hold the close open until they idle out.
    server.closeAllConnections();
  });
}

/**
 * Tries every port before anything starts, so a taken one stops `npm start` at once, naming its service and the
 * variable that moves it, rather than after the services before it have started. Each port 0 becomes a free port,
 * so every URL is known in advance: handlers read PUBLIC_BASE_URL and the endpoint variables when they load, which
 * may be while the engine resumes executions.
 */
export async function claimPorts<P extends Partial<Ports>>(ports: P): Promise<P> {
  const claimed = { ...ports };
  // Every probe stays open until all are bound: a port freed at once could be handed out again for the next 0.
  const probes: Server[] = [];
  try {
    for (const name of Object.keys(claimed) as PortName[]) {
      const probe = createServer();
      claimed[name] = (await listen(probe, claimed[name] as number, portSpecs[name])) as P[PortName];
      probes.push(probe);
    }
  } finally {
    await Promise.all(probes.map((probe) => closeServer(probe)));
  }
  return claimed;
}
