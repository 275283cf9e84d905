// In-process mocks for a capacity search or `npm start`: free ports, their URLs handed to the scenario
// the way a user would (-e IDENTITY_URL=… etc.), and sampled for saturation.
import { type MockConfig, type RunningMocks, startMocks } from '../mocks/index.ts';

export const TARGET_ENV: Record<string, string> = { identity: 'IDENTITY_URL', portal: 'PORTAL_URL', ndxp: 'NDXP_URL' };

export interface LocalMocks {
  mocks: RunningMocks;
  env: Record<string, string>;
  urls: Record<string, string>;
}

export async function startLocalMocks(config?: MockConfig | string): Promise<LocalMocks> {
  const mocks = await startMocks({ port: 0, config });
  const urls: Record<string, string> = {};
  const env: Record<string, string> = {};
  for (const [service, url] of Object.entries(mocks.urls)) {
    if (!url) continue;
    urls[service] = url;
    env[TARGET_ENV[service]] = url;
  }
  return { mocks, env, urls };
}
