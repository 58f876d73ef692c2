import { SessionRequestSchema } from '../../../../src/client/wire.ts';
import { verifyApiToken } from '../../../../src/db/repositories/tokens.ts';
import { SESSION_COOKIE } from '../../../lib/server/auth.ts';
import { ApiError } from '../../../lib/server/errors.ts';
import { parseWith, readJsonBody } from '../../../lib/server/request.ts';
import { apiRoute } from '../../../lib/server/route.ts';
import { getPrisma } from '../../../lib/server/services.ts';

/**
 * Browser sign-in: a browser cannot attach a bearer header to page loads or EventSource, so the
 * dashboard trades a token for an HttpOnly cookie that carries the same token.
 */

const COOKIE_MAX_AGE_S = 30 * 24 * 3600;

function sessionCookie(request: Request, value: string, maxAgeS: number): string {
  const secure = new URL(request.url).protocol === 'https:' ? '; Secure' : '';
  return `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure}`;
}

export const POST = apiRoute(
  async (request) => {
    const { token } = parseWith(SessionRequestSchema, await readJsonBody(request), 'body');
    const identity = await verifyApiToken(getPrisma(), token);
    if (!identity) {
      throw new ApiError(401, 'unauthorized', 'the token is unknown or revoked; create a token with `morphsweep token create <name>`');
    }
    return new Response(null, { status: 204, headers: { 'set-cookie': sessionCookie(request, token, COOKIE_MAX_AGE_S) } });
  },
  { auth: false },
);

export const DELETE = apiRoute(
  async (request) => new Response(null, { status: 204, headers: { 'set-cookie': sessionCookie(request, '', 0) } }),
  { auth: false },
);
