import { UploadModelRequestSchema } from '../../../../src/client/wire-models.ts';
import { MAX_USER_MODEL_BYTES } from '../../../../src/models/user-model-json.ts';
import { readJsonBody } from '../../../lib/server/request.ts';
import { validationFailed } from '../../../lib/server/errors.ts';
import { jsonResponse } from '../../../lib/server/responses.ts';
import { apiRoute } from '../../../lib/server/route.ts';
import { getPrisma } from '../../../lib/server/services.ts';

/** Base64 weights take 4/3 of their bytes; the topology and JSON framing get a megabyte on top. */
const MODEL_BODY_LIMIT_BYTES = Math.ceil((MAX_USER_MODEL_BYTES * 4) / 3) + 1024 * 1024;

/**
 * Store a user's network (model.json, weights optional) under its content address. Checked first:
 * a model that cannot be swept is refused with every problem and nothing is stored.
 */
export const POST = apiRoute(async (request) => {
  const body = await readJsonBody(request, { limitBytes: MODEL_BODY_LIMIT_BYTES });
  const parsed = UploadModelRequestSchema.safeParse(body);
  if (!parsed.success) {
    // Echo no values: a model.json or its weights can be megabytes.
    throw validationFailed('body', parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })));
  }
  const weightData = parsed.data.weights === undefined ? undefined : new Uint8Array(Buffer.from(parsed.data.weights, 'base64'));
  // TF.js loads only for this endpoint and sweeps of user models.
  const { registerUserModel } = await import('../../../../src/temporal/user-models.ts');
  const stored = await registerUserModel(getPrisma(), parsed.data.modelJson, weightData);
  return jsonResponse(stored, stored.created ? 201 : 200, { location: `/api/models/${stored.modelId}` });
});
