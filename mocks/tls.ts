import { execFile } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

/** `startMocks({ tls })`: a local CA and server certificate generated on first use (and kept in `dir`), or given files. */
export type TlsOption = { dir?: string } | { certFile: string; keyFile: string; caFile?: string };

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

/** A local CA (ten years) and a server certificate for 127.0.0.1, ::1 and localhost (two years), made by openssl. */
async function generate(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const config = join(dir, `openssl-${randomBytes(4).toString('hex')}.cnf`);
  const csr = join(dir, 'server.csr');
  await writeFile(config, OPENSSL_CONFIG);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    await openssl(
      [
        'req',
        '-x509',
        '-new',
        ...ec,
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
    await openssl(
      ['req', '-new', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-config', config, '-subj', '/O=loadlab/CN=localhost'],
      dir,
    );
    const serial = `0x${randomBytes(16).toString('hex')}`;
    await openssl(
      [
        'x509',
        '-req',
        '-in',
        'server.csr',
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
        'server.pem',
      ],
      dir,
    );
    await Promise.all([chmod(join(dir, 'ca.key'), 0o600), chmod(join(dir, 'server.key'), 0o600)]);
  } finally {
    await Promise.all([rm(config, { force: true }), rm(csr, { force: true })]);
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
  const files = { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server.key') };
  let [ca, cert, key] = await Promise.all([readIfThere(files.caFile), readIfThere(files.certFile), readIfThere(files.keyFile)]);
  if (!ca || !cert || !key || !usable(cert, ca)) {
    await generate(dir);
    [ca, cert, key] = await Promise.all([
      readFile(files.caFile, 'utf8'),
      readFile(files.certFile, 'utf8'),
      readFile(files.keyFile, 'utf8'),
    ]);
  }
  return { cert, key, ca, ...files };
}
