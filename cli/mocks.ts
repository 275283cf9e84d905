import { type Command, InvalidArgumentError, Option } from 'commander';
import { EXIT, reportCliError } from '../engine/errors.ts';
import { cliAction } from './errors.ts';
import { parseDuration } from '../engine/index.ts';
import {
  DEFAULT_PORTS,
  DEFAULT_SERVER_TIMEOUTS,
  loadConfigFile,
  type MockConfig,
  MockConfigError,
  PROFILE_NAMES,
  type ProfileName,
  SERVICE_NAMES,
  type ServiceName,
} from '../mocks/config.ts';
import { DEFAULT_TLS_DIR, TLS_KEY_TYPES, type TlsKeyType, type TlsOption } from '../mocks/tls.ts';

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^[0-9]+$/.test(value) || port > 65533) throw new InvalidArgumentError('a port number 0–65533 (0 picks free ports)');
  return port;
}

function parseServices(value: string): ServiceName[] {
  const services = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = services.filter((s) => !SERVICE_NAMES.includes(s as ServiceName));
  if (unknown.length > 0 || services.length === 0)
    throw new InvalidArgumentError(`a comma-separated subset of ${SERVICE_NAMES.join(',')}; unknown: ${unknown.join(',') || '(empty)'}`);
  return [...new Set(services)] as ServiceName[];
}

function parseTimeout(value: string): number {
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  if (ms < 100 || ms > 3_600_000) throw new InvalidArgumentError('a duration from 100ms to 1h, in k6 units (e.g. 10s, 1m30s)');
  return Math.round(ms);
}

interface MocksFlags {
  port?: number;
  host: string;
  services?: ServiceName[];
  config?: string;
  profile?: ProfileName;
  tls?: boolean;
  tlsDir?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  tlsKeyType?: TlsKeyType;
  adminToken?: string;
  allowRemote?: boolean;
  headersTimeout?: number;
  requestTimeout?: number;
  keepAliveTimeout?: number;
}

function tlsOption(flags: MocksFlags): TlsOption | undefined {
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) throw new MockConfigError(['--tls-cert and --tls-key go together']);
  if (flags.tlsCert !== undefined && flags.tlsKeyType !== undefined)
    throw new MockConfigError(['--tls-key-type chooses the key loadlab generates; the key of --tls-cert is --tls-key']);
  if (flags.tlsCert !== undefined && flags.tlsKey !== undefined)
    return { certFile: flags.tlsCert, keyFile: flags.tlsKey, caFile: flags.tlsCa };
  if (flags.tlsCa !== undefined) throw new MockConfigError(['--tls-ca names the CA of a certificate given with --tls-cert/--tls-key']);
  return flags.tls || flags.tlsDir !== undefined || flags.tlsKeyType !== undefined
    ? { dir: flags.tlsDir, keyType: flags.tlsKeyType }
    : undefined;
}

/** --config merged with the timeout flags, which win. */
async function configFrom(flags: MocksFlags): Promise<MockConfig | string | undefined> {
  const server = {
    headersTimeoutMs: flags.headersTimeout,
    requestTimeoutMs: flags.requestTimeout,
    keepAliveTimeoutMs: flags.keepAliveTimeout,
  };
  const given = Object.fromEntries(Object.entries(server).filter(([, value]) => value !== undefined));
  if (Object.keys(given).length === 0) return flags.config;
  const config = flags.config ? await loadConfigFile(flags.config) : {};
  return { ...config, server: { ...config.server, ...given } };
}

export function register(program: Command): void {
  const seconds = (ms: number) => `${ms / 1000}s`;
  program
    .command('mocks')
    .description(
      'Start the identity (VNeID-like OIDC), portal (DVCQG-like) and NDXP gateway mocks. When all listen, prints one JSON line with their base URLs (and, under --tls, "caFile") to stdout; Ctrl-C (SIGINT) or SIGTERM stops them.',
    )
    .option(
      '--port <n>',
      `first port: identity N, portal N+1, ndxp N+2 (default ${DEFAULT_PORTS.identity}/${DEFAULT_PORTS.portal}/${DEFAULT_PORTS.ndxp}); 0 picks free ports`,
      parsePort,
    )
    .option('--host <address>', 'address to listen on; beyond loopback only with --allow-remote and an admin token', '127.0.0.1')
    .option('--allow-remote', 'allow --host to be a non-loopback address (other machines can then reach the mocks)')
    .option(
      '--admin-token <token>',
      'require Authorization: Bearer <token> on /admin/* (default: env LOADLAB_ADMIN_TOKEN; mandatory beyond loopback)',
    )
    .option('--services <list>', `comma-separated subset of ${SERVICE_NAMES.join(',')}`, parseServices)
    .option(
      '--config <file>',
      'JSON config file: capacity profiles, faults, token lifetimes, quotas, store bounds, timeouts (see README, "Mocks")',
    )
    .addOption(new Option('--profile <name>', 'capacity profile').choices(PROFILE_NAMES))
    .option(
      '--tls',
      `serve HTTPS with a local CA and certificate for 127.0.0.1, ::1 and localhost, generated on first use in ${DEFAULT_TLS_DIR}`,
    )
    .option('--tls-dir <dir>', `where --tls keeps its CA and certificate (default ${DEFAULT_TLS_DIR}); implies --tls`)
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (chain) instead; needs --tls-key')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--tls-ca <file>', 'CA certificate of --tls-cert, reported as caFile for clients to trust')
    .addOption(
      new Option(
        '--tls-key-type <type>',
        'the generated server key (default ec-p256; RSA keys cost far more per handshake); implies --tls',
      ).choices([...TLS_KEY_TYPES]),
    )
    .option(
      '--headers-timeout <duration>',
      `close a connection whose request headers are not complete after this long (slowloris; default ${seconds(DEFAULT_SERVER_TIMEOUTS.headersTimeoutMs)})`,
      parseTimeout,
    )
    .option(
      '--request-timeout <duration>',
      `answer 408 to a request not received completely after this long (default ${seconds(DEFAULT_SERVER_TIMEOUTS.requestTimeoutMs)})`,
      parseTimeout,
    )
    .option(
      '--keep-alive-timeout <duration>',
      `close an idle keep-alive connection after this long (default ${seconds(DEFAULT_SERVER_TIMEOUTS.keepAliveTimeoutMs)})`,
      parseTimeout,
    )
    .action(
      cliAction('mocks', async (flags: MocksFlags) => {
        // Fastify, jose and the services load only when the mocks start, not for `loadlab --help`. A failed start
        // ends through cliAction: invalid configuration (MockConfigError) 104, anything else (a port in use) 1.
        const { startMocks } = await import('../mocks/index.ts');
        const mocks = await startMocks({
          host: flags.host,
          port: flags.port,
          services: flags.services,
          config: await configFrom(flags),
          profile: flags.profile,
          tls: tlsOption(flags),
          adminToken: flags.adminToken ?? (process.env.LOADLAB_ADMIN_TOKEN || undefined),
          allowRemote: flags.allowRemote,
        });
        process.stdout.write(`${JSON.stringify(mocks.caFile ? { ...mocks.urls, caFile: mocks.caFile } : mocks.urls)}\n`);
        const trust = mocks.caFile ? ` HTTPS; clients trust ${mocks.caFile} (k6: SSL_CERT_FILE=${mocks.caFile}).` : '';
        process.stderr.write(
          `loadlab mocks: ${Object.keys(mocks.urls).join(', ')} listening (profile ${flags.profile ?? 'default, or as set in --config'}); metrics at <url>/metrics, control at <url>/admin/state.${trust} Ctrl-C stops.\n`,
        );
        let stopping = false;
        const stop = (signal: NodeJS.Signals) => {
          if (stopping) return;
          stopping = true;
          process.stderr.write(`loadlab mocks: ${signal}, closing\n`);
          // Stopping on request is the mocks' normal end: exit 0, as documented (not k6's 105 for an interrupted test).
          mocks.close().then(
            () => process.exit(EXIT.ok),
            (error: unknown) => process.exit(reportCliError('mocks (closing)', error, process.stderr)),
          );
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      }),
    );
}
