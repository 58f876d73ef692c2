import { authPolicy } from '../../../lib/server/auth-policy.ts';
import { jsonResponse } from '../../../lib/server/responses.ts';
import { apiRoute } from '../../../lib/server/route.ts';

/** Liveness for start-up scripts; says whether calls need a token, nothing about the data. */
export const GET = apiRoute(async () => jsonResponse({ ok: true, authRequired: authPolicy().required }), { auth: false });
