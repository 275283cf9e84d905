// Everything a user may need to change to point a scenario at another system, read from -e KEY=VALUE.
// Defaults are the local mocks' default ports and credentials.
import { parseProfileName, type ProfileName } from './profiles.ts';

function env(name: string, fallback: string): string {
  const value = __ENV[name];
  return value === undefined || value === '' ? fallback : value;
}

function positiveNumber(name: string, fallback: number): number {
  const raw = env(name, String(fallback));
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`-e ${name}=${raw}: expected a positive number`);
  return value;
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

export interface Config {
  profile: ProfileName;
  scale: number;
  /** Multiplies every think time; 0 is allowed and removes them. */
  think: number;
  seed: string;
  identityUrl: string;
  portalUrl: string;
  ndxpUrl: string;
  portalClientId: string;
  /** Empty for a public client (PKCE only); set it when the staging portal is a confidential client. */
  portalClientSecret: string;
  redirectUri: string;
  scope: string;
  citizenPassword: string;
  agencyCodes: string[];
  /** `{code}` is replaced by the agency code: one pattern serves every agency, a literal serves one client. */
  agencyClientId: string;
  agencyClientSecret: string;
  /** Longest Retry-After a client will wait; longer ones count as a failed transaction. */
  maxRetryWaitSeconds: number;
  attachmentMinKb: number;
  attachmentMaxKb: number;
}

export function loadConfig(): Config {
  const profile = parseProfileName(env('PROFILE', 'smoke'));
  const portalUrl = stripSlash(env('PORTAL_URL', 'http://127.0.0.1:7102'));
  const thinkRaw = env('THINK', profile === 'smoke' ? '0.2' : '1');
  const think = Number(thinkRaw);
  if (!Number.isFinite(think) || think < 0) throw new Error(`-e THINK=${thinkRaw}: expected a number ≥ 0`);
  const attachmentMinKb = positiveNumber('ATTACHMENT_MIN_KB', 100);
  // Smoke keeps memory small; every other profile sends the realistic 100 KB–2 MB scans.
  const attachmentMaxKb = positiveNumber('ATTACHMENT_MAX_KB', profile === 'smoke' ? 256 : 2048);
  if (attachmentMaxKb < attachmentMinKb) {
    throw new Error(`-e ATTACHMENT_MAX_KB=${attachmentMaxKb} is below ATTACHMENT_MIN_KB=${attachmentMinKb}`);
  }
  return {
    profile,
    scale: positiveNumber('SCALE', 1),
    think,
    seed: env('SEED', '20240319'),
    identityUrl: stripSlash(env('IDENTITY_URL', 'http://127.0.0.1:7101')),
    portalUrl,
    ndxpUrl: stripSlash(env('NDXP_URL', 'http://127.0.0.1:7103')),
    portalClientId: env('PORTAL_CLIENT_ID', 'dvc-portal'),
    portalClientSecret: env('PORTAL_CLIENT_SECRET', ''),
    redirectUri: env('REDIRECT_URI', `${portalUrl}/auth/callback`),
    scope: env('SCOPE', 'openid profile'),
    citizenPassword: env('CITIZEN_PASSWORD', 'loadtest'),
    agencyCodes: env('AGENCY_CODES', 'H26,H29,H40,H48,H68,H79,G01,G12')
      .split(',')
      .map((code) => code.trim())
      .filter((code) => code !== ''),
    agencyClientId: env('AGENCY_CLIENT_ID', 'agency-{code}'),
    agencyClientSecret: env('AGENCY_CLIENT_SECRET', 'secret-{code}'),
    maxRetryWaitSeconds: positiveNumber('MAX_RETRY_WAIT', 10),
    attachmentMinKb,
    attachmentMaxKb,
  };
}

export const config: Config = loadConfig();
