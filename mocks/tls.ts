import { execFile } from 'node:child_process';
import {
  constants,
  createPrivateKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

/**
 * The server key of a generated certificate. P-256 is what a modern front end uses; RSA keys cost the server
 * far more per handshake (an RSA-4096 signature takes ~5 ms here, a P-256 one ~0.03 ms), as on many
 * public-sector portals, which is what makes TLS termination the first thing to saturate.
 */
export const TLS_KEY_TYPES = ['ec-p256', 'rsa-2048', 'rsa-4096'] as const;
export type TlsKeyType = (typeof TLS_KEY_TYPES)[number];

/** `startMocks({ tls })`: a local CA and server certificate generated on first use (and kept in `dir`), or given files. */
export type TlsOption = { dir?: string; keyType?: TlsKeyType } | { certFile: string; keyFile: string; caFile?: string };

export interface TlsMaterial {
  key: string;
  cert: string;
  /** PEM of the CA that issued `cert`, when known: what clients must trust (k6: SSL_CERT_FILE). */
  ca: string | undefined;
  caFile: string | undefined;
  certFile: string;
  keyFile: string;
}

export class TlsSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlsSetupError';
  }
}

/** Where `loadlab mocks --tls` keeps its CA and certificate between runs (git-ignored). */
export const DEFAULT_TLS_DIR = join('.loadlab', 'tls');
const SERVER_NAMES = { ips: ['127.0.0.1', '::1'], dns: ['localhost'] };
const run = promisify(execFile);

const OPENSSL_CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
CN = loadlab local CA
[ca_ext]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = ${[...SERVER_NAMES.ips.map((ip) => `IP:${ip}`), ...SERVER_NAMES.dns.map((name) => `DNS:${name}`)].join(', ')}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd, timeout: 30_000 });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT')
      throw new TlsSetupError(
        'generating the local CA needs the openssl command (Debian: apt-get install openssl), or pass --tls-cert and --tls-key',
      );
    throw new TlsSetupError(`openssl ${args[0]} failed: ${(failure.stderr ?? failure.message).trim().split('\n').slice(-3).join(' ')}`);
  }
}

/** The kept certificate is reused while it is issued by the kept CA, names every loopback address and lasts another day. */
function usable(certPem: string, caPem: string): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    const lastsUntil = Date.now() + 24 * 3600 * 1000;
    return (
      cert.checkIssued(ca) &&
      cert.verify(ca.publicKey) &&
      new Date(cert.validTo).getTime() > lastsUntil &&
      new Date(ca.validTo).getTime() > lastsUntil &&
      SERVER_NAMES.ips.every((ip) => cert.checkIP(ip) !== undefined) &&
      SERVER_NAMES.dns.every((name) => cert.checkHost(name) !== undefined)
    );
  } catch {
    return false;
  }
}

async function readIfThere(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

function keyArgs(keyType: TlsKeyType): string[] {
  return keyType === 'ec-p256'
    ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
    : ['-newkey', `rsa:${keyType.slice('rsa-'.length)}`, '-nodes'];
}

/** The server certificate's files for a key type: the P-256 pair keeps its historical names. */
function serverFiles(dir: string, keyType: TlsKeyType): { certFile: string; keyFile: string } {
  const base = keyType === 'ec-p256' ? 'server' : `server-${keyType}`;
  return { certFile: join(dir, `${base}.pem`), keyFile: join(dir, `${base}.key`) };
}

/**
 * A local CA (ten years, P-256) unless a usable one is kept — clients that trust it keep trusting every
 * key type's certificate — and a server certificate for 127.0.0.1, ::1 and localhost (two years), by openssl.
 */
async function generate(dir: string, keyType: TlsKeyType, keepCa: boolean): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const config = join(dir, `openssl-${randomBytes(4).toString('hex')}.cnf`);
  const csr = join(dir, `server-${randomBytes(4).toString('hex')}.csr`);
  const { certFile, keyFile } = serverFiles(dir, keyType);
  await writeFile(config, OPENSSL_CONFIG);
  try {
    if (!keepCa) {
      await openssl(
        [
          'req',
          '-x509',
          '-new',
          ...keyArgs('ec-p256'),
          '-keyout',
          'ca.key',
          '-out',
          'ca.pem',
          '-days',
          '3650',
          '-config',
          config,
          '-extensions',
          'ca_ext',
          '-subj',
          '/O=loadlab/CN=loadlab local CA',
        ],
        dir,
      );
      await chmod(join(dir, 'ca.key'), 0o600);
    }
    await openssl(
      ['req', '-new', ...keyArgs(keyType), '-keyout', keyFile, '-out', csr, '-config', config, '-subj', '/O=loadlab/CN=localhost'],
      dir,
    );
    const serial = `0x${randomBytes(16).toString('hex')}`;
    await openssl(
      [
        'x509',
        '-req',
        '-in',
        csr,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-set_serial',
        serial,
        '-days',
        '730',
        '-extfile',
        config,
        '-extensions',
        'server_ext',
        '-out',
        certFile,
      ],
      dir,
    );
    await chmod(keyFile, 0o600);
  } finally {
    await Promise.all([rm(config, { force: true }), rm(csr, { force: true })]);
  }
}

/** A CA that issues for another day and whose key is kept (so it can sign a certificate for another key type). */
async function keptCaUsable(dir: string, caPem: string | undefined): Promise<boolean> {
  if (!caPem || !(await readIfThere(join(dir, 'ca.key')))) return false;
  try {
    const ca = new X509Certificate(caPem);
    return ca.ca && new Date(ca.validTo).getTime() > Date.now() + 24 * 3600 * 1000;
  } catch {
    return false;
  }
}

/** Loads the given files, or the kept local CA and certificate, generating them when missing or unusable. */
export async function loadTls(option: TlsOption, cwd: string = process.cwd()): Promise<TlsMaterial> {
  if ('certFile' in option) {
    const read = async (path: string, what: string) => {
      const text = await readIfThere(resolve(cwd, path));
      if (text === undefined) throw new TlsSetupError(`${what} ${path}: cannot read`);
      return text;
    };
    const [cert, key, ca] = await Promise.all([
      read(option.certFile, '--tls-cert'),
      read(option.keyFile, '--tls-key'),
      option.caFile ? read(option.caFile, '--tls-ca') : undefined,
    ]);
    try {
      new X509Certificate(cert);
    } catch (error) {
      throw new TlsSetupError(`--tls-cert ${option.certFile}: not a PEM certificate (${(error as Error).message})`);
    }
    return {
      cert,
      key,
      ca,
      caFile: option.caFile && resolve(cwd, option.caFile),
      certFile: resolve(cwd, option.certFile),
      keyFile: resolve(cwd, option.keyFile),
    };
  }
  const dir = resolve(cwd, option.dir ?? DEFAULT_TLS_DIR);
  const keyType = option.keyType ?? 'ec-p256';
  const files = { caFile: join(dir, 'ca.pem'), ...serverFiles(dir, keyType) };
  let [ca, cert, key] = await Promise.all([readIfThere(files.caFile), readIfThere(files.certFile), readIfThere(files.keyFile)]);
  if (!ca || !cert || !key || !usable(cert, ca)) {
    await generate(dir, keyType, await keptCaUsable(dir, ca));
    [ca, cert, key] = await Promise.all([
      readFile(files.caFile, 'utf8'),
      readFile(files.certFile, 'utf8'),
      readFile(files.keyFile, 'utf8'),
    ]);
  }
  return { cert, key, ca, ...files };
}

/**
 * The server's asymmetric work in one full TLS 1.3 handshake, timed on the thread that terminates TLS with
 * the same OpenSSL: the CertificateVerify signature with the server key (RSA-PSS or ECDSA, SHA-256) and an
 * X25519 key exchange — what a handshake costs beyond an ordinary request. Timed as wall-clock on that thread,
 * like the event loop's busy time it is compared with, so both include what a contended CPU adds; one round
 * at most every second while metrics are scraped, the median of the last few kept.
 */
export class HandshakeCostProbe {
  private readonly key: KeyObject;
  private readonly transcript = randomBytes(64);
  private readonly peer = generateKeyPairSync('x25519');
  private readonly rounds: number[] = [];
  private lastRound = 0;

  constructor(keyPem: string) {
    this.key = createPrivateKey(keyPem);
    for (let i = 0; i < 5; i++) this.round();
  }

  private round(): void {
    const start = performance.now();
    if (this.key.asymmetricKeyType === 'rsa')
      sign('sha256', this.transcript, { key: this.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    else sign('sha256', this.transcript, this.key);
    const ephemeral = generateKeyPairSync('x25519');
    diffieHellman({ privateKey: ephemeral.privateKey, publicKey: this.peer.publicKey });
    const end = performance.now();
    this.rounds.push(end - start);
    if (this.rounds.length > 15) this.rounds.shift();
    this.lastRound = end;
  }

  /** Seconds per handshake now: the median of the recent rounds, after one more if the last is a second old. */
  seconds(): number {
    if (performance.now() - this.lastRound >= 1000) this.round();
    const sorted = [...this.rounds].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] / 1000;
  }
}
