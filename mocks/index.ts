import type { FastifyInstance } from 'fastify';
import { loadConfigFile, type MockConfig, type ProfileName, resolveConfig, SERVICE_NAMES, type ServiceName } from './config.ts';
import { identityPlugin } from './identity/index.ts';
import { SigningKey } from './identity/signing-key.ts';
import { ndxpPlugin } from './ndxp/index.ts';
import { portalPlugin } from './portal/index.ts';
import { createServiceApp, ServiceContext } from './shared/service.ts';

export type { MockConfig, ProfileName, ServiceName } from './config.ts';
export { MockConfigError, SERVICE_NAMES } from './config.ts';

export interface StartMocksOptions {
  host?: string;
  /** 0 = free ports for every service; N = N, N+1, N+2 in the order identity, portal, ndxp; default 7101/7102/7103. */
  port?: number;
  services?: ServiceName[];
  config?: MockConfig | string;
  profile?: ProfileName;
  logger?: boolean;
}

export interface RunningMocks {
  urls: Partial<Record<ServiceName, string>>;
  close(): Promise<void>;
}

export const DEFAULT_PORTS: Record<ServiceName, number> = { identity: 7101, portal: 7102, ndxp: 7103 };
const DEFAULT_IDENTITY_URL = 'http://127.0.0.1:7101';

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

async function buildApp(name: ServiceName, context: ServiceContext, logger: boolean): Promise<FastifyInstance> {
  const app = createServiceApp(context, { logger, errorDescriptionKey: name === 'identity' ? 'error_description' : 'message' });
  if (name === 'identity') await app.register(identityPlugin, { context, key: await SigningKey.generate() });
  else if (name === 'portal') await app.register(portalPlugin, { context });
  else await app.register(ndxpPlugin, { context });
  return app;
}

/** Starts the identity, portal and NDXP mocks; resolves once every one listens. */
export async function startMocks(options: StartMocksOptions = {}): Promise<RunningMocks> {
  const host = options.host ?? '127.0.0.1';
  const services = options.services ?? [...SERVICE_NAMES];
  const unknown = services.filter((service) => !SERVICE_NAMES.includes(service));
  if (unknown.length > 0 || services.length === 0) throw new Error(`services must be some of ${SERVICE_NAMES.join(', ')}; got ${services.join(', ') || 'none'}`);
  const rawConfig = typeof options.config === 'string' ? await loadConfigFile(options.config) : (options.config ?? {});
  const config = resolveConfig(rawConfig, options.profile);
  const ordered = SERVICE_NAMES.filter((service) => services.includes(service));

  const started: { name: ServiceName; app: FastifyInstance; context: ServiceContext }[] = [];
  const close = async () => {
    await Promise.all(started.map(({ app }) => app.close()));
  };
  try {
    for (const name of ordered) {
      const context = new ServiceContext(name, config);
      const app = await buildApp(name, context, options.logger ?? false);
      started.push({ name, app, context });
      const port = options.port === undefined ? DEFAULT_PORTS[name] : options.port === 0 ? 0 : options.port + SERVICE_NAMES.indexOf(name);
      try {
        await app.listen({ host, port });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new Error(`${name} mock cannot listen on ${host}:${port}${code === 'EADDRINUSE' ? ' (port in use; try --port 0)' : ''}: ${(error as Error).message}`);
      }
      const address = app.server.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      context.baseUrl = `http://${urlHost(host)}:${actualPort}`;
    }
  } catch (error) {
    await close();
    throw error;
  }
  const urls: Partial<Record<ServiceName, string>> = {};
  for (const { name, context } of started) urls[name] = context.baseUrl;
  const identityUrl = urls.identity ?? config.identityUrl ?? DEFAULT_IDENTITY_URL;
  for (const { context } of started) context.identityUrl = identityUrl;
  return { urls, close };
}
