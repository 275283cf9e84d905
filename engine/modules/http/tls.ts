// k6's TLS client options (insecureSkipTLSVerify, tlsVersion, tlsCipherSuites, tlsAuth) and its
// trust store as Go builds it (SSL_CERT_FILE / SSL_CERT_DIR replace the system roots), turned into
// Node's tls.connect options.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';

export interface ClientCertificate {
  cert: string;
  key: string;
  passphrase: string | undefined;
}

export interface TlsClientOptions {
  connectOptions: ConnectionOptions;
  /** The client certificate (k6's tlsAuth) to present to this host, if any. */
  certificateFor(hostname: string): ClientCertificate | null;
}

const TLS_VERSIONS: Record<string, ConnectionOptions['minVersion']> = {
  'tls1.0': 'TLSv1',
  'tls1.1': 'TLSv1.1',
  'tls1.2': 'TLSv1.2',
  'tls1.3': 'TLSv1.3',
};

// Go's names (crypto/tls, as k6's tlsCipherSuites takes them) → OpenSSL's. TLS 1.3 suites are not
// configurable in Go: they stay enabled whatever the option says.
const CIPHER_SUITES: Record<string, string> = {
  TLS_RSA_WITH_RC4_128_SHA: 'RC4-SHA',
  TLS_RSA_WITH_3DES_EDE_CBC_SHA: 'DES-CBC3-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA256: 'AES128-SHA256',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_RC4_128_SHA: 'ECDHE-ECDSA-RC4-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_RC4_128_SHA: 'ECDHE-RSA-RC4-SHA',
  TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA: 'ECDHE-RSA-DES-CBC3-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 'ECDHE-ECDSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 'ECDHE-RSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_AES_128_GCM_SHA256: '',
  TLS_AES_256_GCM_SHA384: '',
  TLS_CHACHA20_POLY1305_SHA256: '',
};
const TLS13_SUITES = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256';

interface TlsAuthEntry {
  domains?: string[];
  cert: string;
  key: string;
  password?: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The TLS options' problems, as k6 reports them before a run starts (exit 104). Empty when valid. */
export function tlsOptionProblems(options: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const { tlsVersion, tlsCipherSuites, tlsAuth, insecureSkipTLSVerify } = options;
  if (tlsVersion !== undefined) {
    const versions =
      typeof tlsVersion === 'string'
        ? [tlsVersion]
        : isRecord(tlsVersion)
          ? [tlsVersion.min, tlsVersion.max].filter((v) => v !== undefined && v !== '')
          : [tlsVersion];
    for (const v of versions)
      if (typeof v !== 'string' || !(v in TLS_VERSIONS))
        problems.push(`tlsVersion: unknown TLS version ${JSON.stringify(v)} (use one of ${Object.keys(TLS_VERSIONS).join(', ')})`);
  }
  if (tlsCipherSuites !== undefined) {
    if (!Array.isArray(tlsCipherSuites)) problems.push('tlsCipherSuites must be an array of cipher suite names');
    else
      for (const name of tlsCipherSuites)
        if (typeof name !== 'string' || !(name in CIPHER_SUITES))
          problems.push(`tlsCipherSuites: unknown cipher suite ${JSON.stringify(name)}`);
  }
  if (tlsAuth !== undefined) {
    if (!Array.isArray(tlsAuth)) problems.push('tlsAuth must be an array of { domains, cert, key, password? }');
    else
      tlsAuth.forEach((entry, i) => {
        if (!isRecord(entry) || typeof entry.cert !== 'string' || typeof entry.key !== 'string')
          problems.push(`tlsAuth[${i}]: needs PEM strings "cert" and "key"`);
        else if (entry.domains !== undefined && (!Array.isArray(entry.domains) || entry.domains.some((d) => typeof d !== 'string')))
          problems.push(`tlsAuth[${i}].domains must be an array of host names`);
      });
  }
  if (insecureSkipTLSVerify !== undefined && typeof insecureSkipTLSVerify !== 'boolean')
    problems.push(`insecureSkipTLSVerify must be true or false, got ${JSON.stringify(insecureSkipTLSVerify)}`);
  return problems;
}

/** The environment variables that make the trust store (Go's on Linux), as the run sees them. */
export interface TrustEnv {
  readonly SSL_CERT_FILE?: string;
  readonly SSL_CERT_DIR?: string;
}

/** The trust-store variables of `env`: what the run hands its VU threads, which do not read the process's. */
export function trustEnvOf(env: Readonly<Record<string, string | undefined>>): TrustEnv {
  const trust: { SSL_CERT_FILE?: string; SSL_CERT_DIR?: string } = {};
  if (env.SSL_CERT_FILE !== undefined) trust.SSL_CERT_FILE = env.SSL_CERT_FILE;
  if (env.SSL_CERT_DIR !== undefined) trust.SSL_CERT_DIR = env.SSL_CERT_DIR;
  return trust;
}

/** Go's trust store on Linux: SSL_CERT_FILE and SSL_CERT_DIR, when set, instead of the system roots. */
export function trustedCAs(env: TrustEnv): string[] | undefined {
  const file = env.SSL_CERT_FILE;
  const dirs = env.SSL_CERT_DIR;
  if (!file && !dirs) return undefined;
  const pems: string[] = [];
  if (file) pems.push(readFileSync(file, 'utf8'));
  for (const dir of (dirs ?? '').split(':').filter(Boolean)) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      try {
        pems.push(readFileSync(path.join(dir, name), 'utf8'));
      } catch {
        // Go skips unreadable entries as well.
      }
    }
  }
  return pems;
}

/** Valid k6 options (see tlsOptionProblems) and the environment → Node's tls.connect options. */
export function tlsClientOptions(options: Record<string, unknown>, env: TrustEnv): TlsClientOptions {
  const connectOptions: ConnectionOptions = { rejectUnauthorized: options.insecureSkipTLSVerify !== true };
  const ca = trustedCAs(env);
  if (ca !== undefined) connectOptions.ca = ca;
  const { tlsVersion, tlsCipherSuites, tlsAuth } = options;
  if (typeof tlsVersion === 'string') {
    connectOptions.minVersion = TLS_VERSIONS[tlsVersion];
    connectOptions.maxVersion = TLS_VERSIONS[tlsVersion];
  } else if (isRecord(tlsVersion)) {
    if (typeof tlsVersion.min === 'string' && tlsVersion.min !== '') connectOptions.minVersion = TLS_VERSIONS[tlsVersion.min];
    if (typeof tlsVersion.max === 'string' && tlsVersion.max !== '') connectOptions.maxVersion = TLS_VERSIONS[tlsVersion.max];
  }
  if (connectOptions.minVersion === 'TLSv1' || connectOptions.minVersion === 'TLSv1.1') {
    // OpenSSL 3 refuses TLS < 1.2 at its default security level; Go still speaks it when asked to.
    connectOptions.ciphers = 'DEFAULT:@SECLEVEL=0';
  }
  if (Array.isArray(tlsCipherSuites) && tlsCipherSuites.length > 0) {
    const legacy = (tlsCipherSuites as string[]).map((name) => CIPHER_SUITES[name]).filter(Boolean);
    connectOptions.ciphers = [...legacy, TLS13_SUITES].join(':');
  }
  const certificates = Array.isArray(tlsAuth) ? (tlsAuth as TlsAuthEntry[]) : [];
  return { connectOptions, certificateFor: (hostname) => certificateFor(certificates, hostname) };
}

/**
 * The tlsAuth entry offered to `hostname`: the first whose domains name it, else the first without
 * domains (k6 v0.x's NameToCertificate rule; newer k6 lets Go offer the first configured one).
 */
function certificateFor(entries: readonly TlsAuthEntry[], hostname: string): ClientCertificate | null {
  if (entries.length === 0) return null;
  const names = (e: TlsAuthEntry) => e.domains ?? [];
  const match =
    entries.find((e) => names(e).some((d) => d === hostname || (d.startsWith('*.') && hostname.endsWith(d.slice(1))))) ??
    entries.find((e) => names(e).length === 0) ??
    entries[0];
  return { cert: match.cert, key: match.key, passphrase: match.password || undefined };
}

const trustingAgents = new Map<string, Agent>();

/**
 * GET a local service's text (its /metrics) trusting what the engine trusts: SSL_CERT_FILE / SSL_CERT_DIR of
 * `env` when set (the mocks' CA under --tls), else the system roots. One keep-alive agent per trust store.
 */
export async function fetchTextTrusting(
  url: string | URL,
  timeoutMs: number,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<string> {
  const key = `${env.SSL_CERT_FILE ?? ''}\n${env.SSL_CERT_DIR ?? ''}`;
  let agent = trustingAgents.get(key);
  if (!agent) {
    const ca = trustedCAs(env);
    agent = new Agent(ca ? { connect: { ca } } : {});
    trustingAgents.set(key, agent);
  }
  const response = await undiciFetch(url, { dispatcher: agent, signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.text();
}
