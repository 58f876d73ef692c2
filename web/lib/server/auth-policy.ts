import { isIP } from 'node:net';

/**
 * Who may call the API without a token. Tokens are required unless the server listens on a loopback
 * address only AND the operator set MORPHSWEEP_AUTH=off: a laptop demo may skip tokens, a server
 * reachable from the network never does. The bind address reaches route handlers through
 * MORPHSWEEP_BIND_HOST, which startWebServer sets; a server started any other way counts as exposed.
 */

export const BIND_HOST_ENV = 'MORPHSWEEP_BIND_HOST';
export const AUTH_ENV = 'MORPHSWEEP_AUTH';

export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

export interface AuthPolicy {
  required: boolean;
  /** Why, for the health endpoint and the server's start-up line. */
  reason: string;
}

export function authPolicy(env: Readonly<Record<string, string | undefined>> = process.env): AuthPolicy {
  const bindHost = env[BIND_HOST_ENV];
  if (env[AUTH_ENV] !== 'off') return { required: true, reason: `${AUTH_ENV} is not "off"` };
  if (!isLoopbackHost(bindHost)) {
    return { required: true, reason: `${AUTH_ENV}=off is ignored: the server binds ${bindHost ?? 'an unknown address'}, not loopback` };
  }
  return { required: false, reason: `${AUTH_ENV}=off on loopback bind ${bindHost}` };
}
