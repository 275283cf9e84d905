import type { FastifyInstance } from 'fastify';
import { Agent, fetch as undiciFetch } from 'undici';
import { isLoopbackHost } from '../engine/loopback.ts';
import {
  DEFAULT_PORTS,
  loadConfigFile,
  type MockConfig,
  MockConfigError,
  type ProfileName,
  resolveConfig,
  SERVICE_NAMES,
  type ServiceName,
} from './config.ts';
import { identityPlugin } from './identity/index.ts';
import { SigningKey } from './identity/signing-key.ts';
import { ndxpPlugin } from './ndxp/index.ts';
import { portalPlugin } from './portal/index.ts';
import { ServiceContext } from './shared/context.ts';
import { createServiceApp } from './shared/service.ts';
import { HandshakeCostProbe, loadTls, type TlsMaterial, type TlsOption } from './tls.ts';

export type { MockConfig, ProfileName, ServiceName, ServerTimeouts, StoreName } from './config.ts';
export {
  DEFAULT_PORTS,
  DEFAULT_SERVER_TIMEOUTS,
  loadConfigFile as loadMockConfig,
  MockConfigError,
  SERVICE_NAMES,
  STORE_NAMES,
} from './config.ts';
export { DEFAULT_TLS_DIR, TLS_KEY_TYPES, type TlsKeyType, type TlsOption, TlsSetupError } from './tls.ts';

export interface StartMocksOptions {
  host?: string;
  /** 0 = free ports for every service; N = N, N+1, N+2 in the order identity, portal, ndxp; default 7101/7102/7103. */
  port?: number;
  services?: ServiceName[];
  config?: MockConfig | string;
  profile?: ProfileName;
  logger?: boolean;
  /** Serve HTTPS: `{}` = the local CA and certificate kept in .loadlab/tls (generated on first use), or given files. */
  tls?: TlsOption;
  /** Bearer token the admin API requires; mandatory when listening beyond loopback. */
  adminToken?: string;
  /** Listening on a non-loopback address exposes the mocks to other machines: only on purpose. */
  allowRemote?: boolean;
  /** Base directory for relative TLS paths; default the process's working directory. */
  cwd?: string;
}

export interface RunningMocks {
  urls: Partial<Record<ServiceName, string>>;
  /** Under TLS: the CA certificate (PEM file) clients must trust, when known. */
  caFile?: string;
  close(): Promise<void>;
}

const DEFAULT_IDENTITY_URL = 'http://127.0.0.1:7101';

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

async function buildApp(
  name: ServiceName,
  context: ServiceContext,
  logger: boolean,
  tls: TlsMaterial | undefined,
): Promise<FastifyInstance> {
  const app = createServiceApp(context, {
    logger,
    tls: tls && { key: tls.key, cert: tls.cert },
    errorDescriptionKey: name === 'identity' ? 'error_description' : 'message',
  });
  if (name === 'identity') await app.register(identityPlugin, { context, key: await SigningKey.generate() });
  else if (name === 'portal') await app.register(portalPlugin, { context });
  else await app.register(ndxpPlugin, { context });
  return app;
}

/** A fetch for service-to-service calls (the JWKS) that trusts the mocks' own CA. */
function fetchTrusting(ca: string): typeof globalThis.fetch {
  const dispatcher = new Agent({ connect: { ca } });
  return ((url: string, init?: Parameters<typeof undiciFetch>[1]) =>
    undiciFetch(url, { ...init, dispatcher })) as unknown as typeof globalThis.fetch;
}

/** Refuses an exposure nobody asked for: other machines reaching the mocks, or their admin API without a token. */
function checkExposure(host: string, options: StartMocksOptions): void {
  if (isLoopbackHost(host)) return;
  if (!options.allowRemote) {
    throw new MockConfigError([
      `host ${host}: listening beyond loopback lets other machines reach the mocks and their admin API; pass --allow-remote (allowRemote: true) with --admin-token to do so on purpose`,
    ]);
  }
  if (!options.adminToken)
    throw new MockConfigError([
      `host ${host}: an admin token is mandatory when listening beyond loopback (--admin-token or LOADLAB_ADMIN_TOKEN)`,
    ]);
}

/** Starts the identity, portal and NDXP mocks; resolves once every one listens. */
export async function startMocks(options: StartMocksOptions = {}): Promise<RunningMocks> {
  const host = options.host ?? '127.0.0.1';
  const services = options.services ?? [...SERVICE_NAMES];
  const unknown = services.filter((service) => !SERVICE_NAMES.includes(service));
  if (unknown.length > 0 || services.length === 0)
    throw new Error(`services must be some of ${SERVICE_NAMES.join(', ')}; got ${services.join(', ') || 'none'}`);
  checkExposure(host, options);
  const rawConfig = typeof options.config === 'string' ? await loadConfigFile(options.config) : (options.config ?? {});
  const config = resolveConfig(rawConfig, options.profile);
  const ordered = SERVICE_NAMES.filter((service) => services.includes(service));
  const tls = options.tls ? await loadTls(options.tls, options.cwd) : undefined;
  // One probe for the services of this process: they share the thread that terminates their TLS.
  const handshakeCost = tls ? new HandshakeCostProbe(tls.key) : undefined;
  const fetch = tls?.ca ? fetchTrusting(tls.ca) : undefined;
  const scheme = tls ? 'https' : 'http';

  const started: { name: ServiceName; app: FastifyInstance; context: ServiceContext }[] = [];
  const close = async () => {
    await Promise.all(started.map(({ app }) => app.close()));
  };
  try {
    for (const name of ordered) {
      const context = new ServiceContext(name, config, { host, adminToken: options.adminToken });
      context.fetch = fetch;
      if (handshakeCost) context.recordHandshake = context.metrics.addTlsTermination(context.connections, handshakeCost);
      const app = await buildApp(name, context, options.logger ?? false, tls);
      started.push({ name, app, context });
      const port = options.port === undefined ? DEFAULT_PORTS[name] : options.port === 0 ? 0 : options.port + SERVICE_NAMES.indexOf(name);
      try {
        await app.listen({ host, port });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new Error(
          `${name} mock cannot listen on ${host}:${port}${code === 'EADDRINUSE' ? ' (port in use; try --port 0)' : ''}: ${(error as Error).message}`,
        );
      }
      const address = app.server.address();
      context.port = typeof address === 'object' && address ? address.port : port;
      context.baseUrl = `${scheme}://${urlHost(host)}:${context.port}`;
    }
  } catch (error) {
    await close();
    throw error;
  }
  const urls: Partial<Record<ServiceName, string>> = {};
  for (const { name, context } of started) urls[name] = context.baseUrl;
  const identityUrl = urls.identity ?? config.identityUrl ?? DEFAULT_IDENTITY_URL;
  for (const { context } of started) context.identityUrl = identityUrl;
  return tls?.caFile ? { urls, caFile: tls.caFile, close } : { urls, close };
}
