// HTTP digest authentication (RFC 7616) as k6's `auth: 'digest'`: the request goes out without
// credentials, a 401 carrying a Digest challenge is answered once with the computed Authorization.
import { createHash, randomBytes } from 'node:crypto';

export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque?: string;
  qop?: string;
  algorithm: string;
}

const HASHES: Record<string, string> = { MD5: 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256' };

/** The first Digest challenge with an algorithm we can compute, from WWW-Authenticate values. */
export function findDigestChallenge(headers: readonly string[]): DigestChallenge | null {
  for (const header of headers) {
    for (const match of header.matchAll(/Digest\s+((?:[^,"]+=(?:"(?:[^"\\]|\\.)*"|[^,]*)\s*,?\s*)+)/gi)) {
      const params: Record<string, string> = {};
      for (const p of match[1].matchAll(/([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
        params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3];
      }
      const algorithm = (params.algorithm ?? 'MD5').toUpperCase();
      if (params.nonce === undefined || HASHES[algorithm.replace(/-SESS$/, '')] === undefined) continue;
      return { realm: params.realm ?? '', nonce: params.nonce, opaque: params.opaque, qop: params.qop, algorithm };
    }
  }
  return null;
}

/** The Authorization header answering `challenge` for this request. */
export function digestAuthorization(
  challenge: DigestChallenge,
  method: string,
  uri: string,
  username: string,
  password: string,
  cnonce = randomBytes(16).toString('hex'),
): string {
  const sess = challenge.algorithm.endsWith('-SESS');
  const hashName = HASHES[challenge.algorithm.replace(/-SESS$/, '')];
  const h = (text: string) => createHash(hashName).update(text).digest('hex');
  const nc = '00000001';
  let ha1 = h(`${username}:${challenge.realm}:${password}`);
  if (sess) ha1 = h(`${ha1}:${challenge.nonce}:${cnonce}`);
  const ha2 = h(`${method}:${uri}`);
  const qops = (challenge.qop ?? '').split(',').map((q) => q.trim());
  const qop = qops.includes('auth') ? 'auth' : null;
  const response = qop === null ? h(`${ha1}:${challenge.nonce}:${ha2}`) : h(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:${qop}:${ha2}`);
  const quote = (v: string) => `"${v.replace(/(["\\])/g, '\\$1')}"`;
  const fields = [`username=${quote(username)}`, `realm=${quote(challenge.realm)}`, `nonce=${quote(challenge.nonce)}`, `uri=${quote(uri)}`];
  if (qop !== null) fields.push(`cnonce=${quote(cnonce)}`, `nc=${nc}`, `qop=${qop}`);
  fields.push(`response=${quote(response)}`);
  if (challenge.opaque !== undefined) fields.push(`opaque=${quote(challenge.opaque)}`);
  fields.push(`algorithm=${challenge.algorithm === 'MD5' ? '"MD5"' : challenge.algorithm}`);
  return `Digest ${fields.join(', ')}`;
}
