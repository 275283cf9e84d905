// PKCE (RFC 7636) and the other one-time values of an authorization request, made with k6/crypto.
import { randomBytes, sha256 } from 'k6/crypto';
import { b64encode } from 'k6/encoding';

/** S256 code challenge: BASE64URL(SHA256(ASCII(code_verifier))) without padding. */
export function codeChallenge(verifier: string): string {
  return b64encode(sha256(verifier, 'binary'), 'rawurl');
}

/** A 43-character code verifier from 32 random bytes, the length RFC 7636 recommends. */
export function newCodeVerifier(): string {
  return b64encode(randomBytes(32), 'rawurl');
}

/** An unguessable value for state and nonce. */
export function randomToken(bytes = 16): string {
  return b64encode(randomBytes(bytes), 'rawurl');
}

/** A random (version 4) UUID, the form NDXP transaction ids and idempotency keys take. */
export function uuid(): string {
  const bytes = new Uint8Array(randomBytes(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  let hex = '';
  for (const byte of bytes) hex += (byte < 16 ? '0' : '') + byte.toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
