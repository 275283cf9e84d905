export interface OAuthClient {
  id: string;
  /** Confidential agency systems authenticate with a secret; the portal is public and proves possession with PKCE. */
  confidential: boolean;
  secret?: string;
  grants: readonly string[];
  scopes: readonly string[];
}

export const PORTAL_CLIENT_ID = 'dvc-portal';
const AGENCY_CLIENT = /^agency-([A-Za-z0-9._-]{1,64})$/;

const portalClient: OAuthClient = {
  id: PORTAL_CLIENT_ID,
  confidential: false,
  grants: ['authorization_code', 'refresh_token'],
  scopes: ['openid', 'profile', 'offline_access'],
};

/** `dvc-portal`, or any `agency-<code>` with secret `secret-<code>` (client credentials, scope `ndxp`). */
export function findClient(clientId: string): OAuthClient | undefined {
  if (clientId === PORTAL_CLIENT_ID) return portalClient;
  const match = AGENCY_CLIENT.exec(clientId);
  if (!match) return undefined;
  return { id: clientId, confidential: true, secret: `secret-${match[1]}`, grants: ['client_credentials'], scopes: ['ndxp'] };
}

/** The portal is a public client that may run on any loopback address and port (RFC 8252 §7.3). */
export function isLoopbackRedirect(uri: string): boolean {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (url.hash) return false;
  const host = url.hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
