import { openApiDocument } from '../../../lib/server/openapi.ts';
import { jsonResponse } from '../../../lib/server/responses.ts';
import { apiRoute } from '../../../lib/server/route.ts';

export const GET = apiRoute(async () => jsonResponse(openApiDocument()), { auth: false });
