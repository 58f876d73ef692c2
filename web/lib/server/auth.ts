import { verifyApiToken, type ApiTokenIdentity } from '../../../src/db/repositories/tokens.ts';
import { authPolicy } from './auth-policy.ts';
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

/** The caller's token, null when the policy lets anyone in; throws a 401 otherwise. */
export async function authenticate(request: Request): Promise<ApiTokenIdentity | null> {
  if (!authPolicy().required) return null;
  const secret = presentedSecret(request);
  if (!secret) throw unauthorized(`missing bearer token: send the header "Authorization: Bearer <token>"; ${CREATE_HINT}`);
  const identity = await verifyApiToken(getPrisma(), secret);
  if (!identity) throw unauthorized(`the bearer token is unknown or revoked; ${CREATE_HINT}`);
  return identity;
}
