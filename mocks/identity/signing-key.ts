import { randomBytes, type webcrypto } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

/** The RS256 key pair of one identity instance; a restart rotates it, as relying parties must tolerate. */
export class SigningKey {
  private constructor(
    private readonly privateKey: webcrypto.CryptoKey,
    readonly publicKey: webcrypto.CryptoKey,
    readonly publicJwk: JWK,
    readonly kid: string,
  ) {}

  static async generate(): Promise<SigningKey> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
    const kid = randomBytes(8).toString('hex');
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    return new SigningKey(privateKey, publicKey, jwk, kid);
  }

  sign(claims: JWTPayload, typ: 'JWT' | 'at+jwt', lifetimeSeconds: number): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: this.kid, typ })
      .setIssuedAt(now)
      .setExpirationTime(now + lifetimeSeconds)
      .sign(this.privateKey);
  }
}
