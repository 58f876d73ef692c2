import { ApiError } from '../../../lib/server/errors.ts';
import { apiRoute } from '../../../lib/server/route.ts';

/** Unknown API paths answer in the API's error envelope instead of the dashboard's HTML 404 page. */
const unknownEndpoint = apiRoute(
  async (request) => {
    const { pathname } = new URL(request.url);
    throw new ApiError(404, 'endpoint_not_found', `no API endpoint ${request.method} ${pathname}; the endpoints are listed in /api/openapi.json`);
  },
  { auth: false },
);

export const GET = unknownEndpoint;
export const POST = unknownEndpoint;
export const PUT = unknownEndpoint;
export const PATCH = unknownEndpoint;
export const DELETE = unknownEndpoint;
