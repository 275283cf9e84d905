import { type Command, InvalidArgumentError, Option } from 'commander';
import { MockConfigError, PROFILE_NAMES, type ProfileName, SERVICE_NAMES, type ServiceName } from '../mocks/config.ts';
import { DEFAULT_PORTS, startMocks } from '../mocks/index.ts';

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^[0-9]+$/.test(value) || port > 65533) throw new InvalidArgumentError('a port number 0–65533 (0 picks free ports)');
  return port;
}

function parseServices(value: string): ServiceName[] {
  const services = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = services.filter((s) => !SERVICE_NAMES.includes(s as ServiceName));
  if (unknown.length > 0 || services.length === 0) throw new InvalidArgumentError(`a comma-separated subset of ${SERVICE_NAMES.join(',')}; unknown: ${unknown.join(',') || '(empty)'}`);
  return [...new Set(services)] as ServiceName[];
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\./.test(host);

export function register(program: Command): void {
  program
    .command('mocks')
    .description(
      'Start the identity (VNeID-like OIDC), portal (DVCQG-like) and NDXP gateway mocks. When all listen, prints one JSON line with their base URLs to stdout; Ctrl-C (SIGINT) or SIGTERM stops them.',
    )
    .option('--port <n>', `first port: identity N, portal N+1, ndxp N+2 (default ${DEFAULT_PORTS.identity}/${DEFAULT_PORTS.portal}/${DEFAULT_PORTS.ndxp}); 0 picks free ports`, parsePort)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--services <list>', `comma-separated subset of ${SERVICE_NAMES.join(',')}`, parseServices)
    .option('--config <file>', 'JSON config file: capacity profiles, faults, token lifetimes, quotas (see README, "Mocks")')
    .addOption(new Option('--profile <name>', 'capacity profile').choices(PROFILE_NAMES))
    .action(async (options: { port?: number; host: string; services?: ServiceName[]; config?: string; profile?: ProfileName }) => {
      if (!isLoopback(options.host)) process.stderr.write(`loadlab mocks: warning: listening on ${options.host}, not loopback; the mocks are for local load tests\n`);
      let mocks: Awaited<ReturnType<typeof startMocks>>;
      try {
        mocks = await startMocks({ host: options.host, port: options.port, services: options.services, config: options.config, profile: options.profile });
      } catch (error) {
        process.stderr.write(`loadlab mocks: ${error instanceof MockConfigError ? error.message : (error as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`${JSON.stringify(mocks.urls)}\n`);
      process.stderr.write(`loadlab mocks: ${Object.keys(mocks.urls).join(', ')} listening (profile ${options.profile ?? 'default, or as set in --config'}); metrics at <url>/metrics, control at <url>/admin/state. Ctrl-C stops.\n`);
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(`loadlab mocks: ${signal}, closing\n`);
        mocks.close().then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`loadlab mocks: error while closing: ${(error as Error).message}\n`);
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
