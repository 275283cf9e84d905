// In-process mocks for a capacity search or `npm start`: free ports, their URLs handed to the scenario
// the way a user would (-e IDENTITY_URL=… etc.), and sampled for saturation.
import { type MockConfig, type RunningMocks, startMocks, type TlsOption } from '../mocks/index.ts';

export const TARGET_ENV: Record<string, string> = { identity: 'IDENTITY_URL', portal: 'PORTAL_URL', ndxp: 'NDXP_URL' };

export interface LocalMocks {
  mocks: RunningMocks;
  env: Record<string, string>;
  urls: Record<string, string>;
  /** Under TLS: the CA the scenarios (and the samplers) trust, as SSL_CERT_FILE while the mocks run. */
  caFile?: string;
}

export interface LocalMocksOptions {
  /** Serve HTTPS with the local CA (generated on first use in .loadlab/tls) and a certificate of this key type. */
  tls?: TlsOption;
}

/**
 * Starts the mocks. Under TLS the engine must verify their certificate as k6 would (no insecureSkipTLSVerify),
 * and k6 and the engine take their trust store from the environment: SSL_CERT_FILE names the mocks' CA
 * until `mocks.close()`, which puts back what was there. The engine's worker threads copy the environment
 * when they start, so every run started in between trusts the CA.
 */
export async function startLocalMocks(config?: MockConfig | string, options: LocalMocksOptions = {}): Promise<LocalMocks> {
  const started = await startMocks({ port: 0, config, tls: options.tls });
  const urls: Record<string, string> = {};
  const env: Record<string, string> = {};
  for (const [service, url] of Object.entries(started.urls)) {
    if (!url) continue;
    urls[service] = url;
    env[TARGET_ENV[service]] = url;
  }
  const caFile = started.caFile;
  if (!caFile) return { mocks: started, env, urls };
  const previous = process.env.SSL_CERT_FILE;
  process.env.SSL_CERT_FILE = caFile;
  const mocks: RunningMocks = {
    ...started,
    close: async () => {
      if (process.env.SSL_CERT_FILE === caFile) {
        if (previous === undefined) delete process.env.SSL_CERT_FILE;
        else process.env.SSL_CERT_FILE = previous;
      }
      await started.close();
    },
  };
  return { mocks, env, urls, caFile };
}
