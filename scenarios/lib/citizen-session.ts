// One citizen per VU: logged in once, the access token kept in module state (k6 gives every VU its
// own) and renewed with the refresh token before it expires, as the portal's session layer does.
import { expiresSoon, login, refresh, type TokenSet, type UserInfo } from './oidc-login.ts';
import { randomFor } from './random.ts';
import { type Citizen, makeCitizen } from './synthetic.ts';
import { config } from './config.ts';
import { vuNumber } from './vu.ts';

export interface CitizenSession {
  citizen: Citizen;
  tokens: TokenSet;
  userinfo: UserInfo;
}

let session: CitizenSession | undefined;
let loginAttempts = 0;

/** The VU's citizen: the same person for the whole test, derived from SEED and the VU number. */
export function vuCitizen(): Citizen {
  return makeCitizen(randomFor(config.seed, 'vu-citizen', vuNumber(), 0));
}

/** A session with a fresh access token, logging in or refreshing as needed; undefined if that fails. */
export async function citizenSession(): Promise<CitizenSession | undefined> {
  if (session && !expiresSoon(session.tokens)) return session;
  if (session) {
    const renewed = await refresh(session.tokens);
    if (renewed) {
      session.tokens = renewed;
      return session;
    }
    session = undefined;
  }
  const citizen = vuCitizen();
  loginAttempts++;
  const outcome = await login(citizen, randomFor(config.seed, 'vu-login', vuNumber(), loginAttempts));
  if (!outcome.ok) return undefined;
  session = { citizen, tokens: outcome.tokens, userinfo: outcome.userinfo };
  return session;
}

/** Forgets the session, e.g. after the portal answered 401 to its token. */
export function dropCitizenSession(): void {
  session = undefined;
}
