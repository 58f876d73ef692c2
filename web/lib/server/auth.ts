import { verifyApiToken, type ApiTokenIdentity } from '../../../src/db/repositories/tokens.ts';
import { authPolicy, isLoopbackHost } from './auth-policy.ts';
import { ApiError } from './errors.ts';
import { getPrisma } from './services.ts';
import { SESSION_COOKIE } from './session-cookie.ts';

export { SESSION_COOKIE };

const CREATE_HINT = 'create a token with `morphsweep token create <name>`';

function unauthorized(message: string): ApiError {
  return new ApiError(401, 'unauthorized', message, undefined, { 'www-authenticate': 'Bearer realm="morphsweep"' });
}

function cookieValue(request: Request, name: string): string | undefined {
  const header = request.headers.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) {
      try {
        return decodeURIComponent(rest.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function presentedSecret(request: Request): string | undefined {
  const header = request.headers.get('authorization');
  if (header !== null) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw unauthorized(`the Authorization header must be "Bearer <token>"; ${CREATE_HINT}`);
    return match[1];
  }
  return cookieValue(request, SESSION_COOKIE);
}

/** The host name of a Host header ("127.0.0.1:3000" -> "127.0.0.1"); undefined when it is not one. */
function hostNameOf(hostHeader: string | null): string | undefined {
  if (!hostHeader) return undefined;
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return undefined;
  }
}

/**
 * The caller's token, null when the policy lets anyone in; throws a 401 otherwise. Without tokens,
 * only requests addressed to a loopback name get in: a web page whose own domain was re-pointed at
 * 127.0.0.1 (DNS rebinding) could otherwise drive the API from the user's browser, and it sends its
 * domain as the Host.
 */
export async function authenticate(request: Request): Promise<ApiTokenIdentity | null> {
  if (!authPolicy().required) {
    if (isLoopbackHost(hostNameOf(request.headers.get('host')))) return null;
    throw new ApiError(
      403,
      'forbidden_host',
      'without tokens (MORPHSWEEP_AUTH=off) the API answers only requests addressed to localhost, 127.0.0.1 or [::1]; open the dashboard at one of those, or require tokens',
    );
  }
  const secret = presentedSecret(request);
  if (!secret) throw unauthorized(`missing bearer token: send the header "Authorization: Bearer <token>"; ${CREATE_HINT}`);
  const identity = await verifyApiToken(getPrisma(), secret);
  if (!identity) throw unauthorized(`the bearer token is unknown or revoked; ${CREATE_HINT}`);
  return identity;
}
