import { z } from 'zod';
import * as wire from '../../../src/client/wire.ts';
import * as wireModels from '../../../src/client/wire-models.ts';
import { SweepConfigSchema } from '../../../src/sweep/config.ts';

/**
 * The OpenAPI 3.1 document, generated from the same zod schemas the handlers parse with, so the
 * description cannot drift from the behaviour. OpenAPI 3.1 uses JSON Schema 2020-12 as is.
 */

const components = z.registry<{ id: string }>();
const register = (schema: z.ZodType, id: string) => components.add(schema, { id });

register(SweepConfigSchema, 'SweepConfig');
for (const [id, schema] of Object.entries({
  ErrorEnvelope: wire.ErrorEnvelopeSchema,
  FieldProblem: wire.FieldProblemSchema,
  Costs: wire.CostsSchema,
  RunCounts: wire.RunCountsSchema,
  BestPoint: wire.BestPointSchema,
  SweepSummary: wire.SweepSummarySchema,
  SweepPage: wire.SweepPageSchema,
  LiveRun: wire.LiveRunSchema,
  LiveProgress: wire.LiveProgressSchema,
  SweepDetail: wire.SweepDetailSchema,
  CreateSweepResponse: wire.CreateSweepResponseSchema,
  CancelSweepResponse: wire.CancelSweepResponseSchema,
  FrontPoint: wire.FrontPointSchema,
  ReferencePoint: wire.ReferencePointSchema,
  RetrainedPoint: wire.RetrainedPointSchema,
  Front: wire.FrontSchema,
  CurvePoint: wire.CurvePointSchema,
  LayerWidth: wire.LayerWidthSchema,
  Retrain: wire.RetrainSchema,
  RunDetail: wire.RunDetailSchema,
  RetrainRequest: wire.RetrainRequestSchema,
  RetrainCreated: wire.RetrainCreatedSchema,
  EvidenceRequest: wire.EvidenceRequestSchema,
  EvidenceCreated: wire.EvidenceCreatedSchema,
  EvidenceSummary: wire.EvidenceSummarySchema,
  Evidence: wire.EvidenceSchema,
  EvidenceList: wire.EvidenceListSchema,
  TargetSearch: wire.TargetSearchSchema,
  ProgressEvent: wire.ProgressEventSchema,
  RunEvent: wire.RunEventSchema,
  SessionRequest: wire.SessionRequestSchema,
  Health: wire.HealthSchema,
  UploadModelRequest: wireModels.UploadModelRequestSchema,
  ModelProblem: wireModels.ModelProblemSchema,
  UserModelSummary: wireModels.UserModelSummarySchema,
  UserModel: wireModels.UserModelSchema,
  WorkerStatus: wire.WorkerStatusSchema,
})) {
  register(schema, id);
}

type JsonSchema = Record<string, unknown>;

function componentSchemas(io: 'input' | 'output'): Record<string, JsonSchema> {
  const generated = z.toJSONSchema(components, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, JsonSchema> };
  const schemas: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(generated.schemas)) {
    const { $schema: _dialect, $id: _id, ...rest } = schema;
    schemas[id] = rest;
  }
  return schemas;
}

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string, description: string) => ({ description, content: { 'application/json': { schema: ref(id) } } });
const error = (description: string) => json('ErrorEnvelope', description);
const RETRY_AFTER_HEADER = { 'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } } };
const unavailable = (description: string) => ({ ...error(description), headers: RETRY_AFTER_HEADER });

/**
 * Each operation's error answers; 401, 403, 500 and 503 apply to all of them (every operation reads
 * the database, so every one answers 503 with Retry-After while it is down).
 */
function errors(...statuses: Array<[number, string]>) {
  return Object.fromEntries([
    ['503', unavailable('the database (or Temporal) is unreachable; retry after Retry-After seconds')],
    ...statuses.map(([status, description]) => [String(status), status === 503 ? unavailable(description) : error(description)]),
    ['401', error('missing, malformed, unknown or revoked bearer token')],
    ['403', error('tokens are off (MORPHSWEEP_AUTH=off) and the request is not addressed to a loopback host')],
    ['500', error('unexpected failure; the body names a request id from the server log')],
  ]);
}

/** Query parameters from a zod object schema of strings, so their rules match what is parsed. */
function queryParameters(schema: z.ZodObject): object[] {
  const objectSchema = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as {
    properties: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(objectSchema.properties).map(([name, propertySchema]) => ({
    name,
    in: 'query',
    required: objectSchema.required?.includes(name) ?? false,
    schema: name === 'limit' ? { type: 'integer', minimum: 1, maximum: 100, default: 20 } : propertySchema,
    ...(typeof propertySchema.description === 'string' ? { description: propertySchema.description } : {}),
  }));
}

const idempotencyKeyParameter = (what: string) => ({
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,200}$' },
  description: `retrying with the same key and body returns the first ${what} instead of starting another; the same key with another body is a 409`,
});

const idParameter = (what: string) => ({
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string', minLength: 1 },
  description: `${what} id`,
});

function buildOpenApiDocument(): object {
  const outputSchemas = componentSchemas('output');
  const inputSchemas = componentSchemas('input');
  // Requests are described as clients write them (defaults optional), answers as the server sends them.
  const schemas = {
    ...outputSchemas,
    SweepConfig: inputSchemas.SweepConfig,
    RetrainRequest: inputSchemas.RetrainRequest,
    EvidenceRequest: inputSchemas.EvidenceRequest,
    SessionRequest: inputSchemas.SessionRequest,
    UploadModelRequest: inputSchemas.UploadModelRequest,
  };
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'MorphSweep API',
      version: '1.0.0',
      description:
        'Launch MorphNet strength sweeps, watch them, read the Pareto front and retrain chosen structures. ' +
        'Every error is {"error": {"code", "message", "details"}}; validation errors list every field.',
    },
    servers: [{ url: '/' }],
    security: [{ bearerToken: [] }, { sessionCookie: [] }],
    paths: {
      '/api/sweeps': {
        get: {
          operationId: 'listSweeps',
          summary: 'Sweeps, newest first, a page at a time',
          parameters: queryParameters(wire.SweepListQuerySchema),
          responses: {
            '200': json('SweepPage', 'one page of sweeps'),
            ...errors([400, 'cursor not from a previous page'], [422, 'invalid query parameters']),
          },
        },
        post: {
          operationId: 'createSweep',
          summary: 'Start a sweep',
          parameters: [idempotencyKeyParameter('sweep')],
          requestBody: { required: true, content: { 'application/json': { schema: ref('SweepConfig') } } },
          responses: {
            '201': json('CreateSweepResponse', 'sweep started'),
            '200': json('CreateSweepResponse', 'an earlier request with this Idempotency-Key started it'),
            ...errors(
              [400, 'body is not JSON, or a bad Idempotency-Key'],
              [409, 'Idempotency-Key already used with a different body (also between racing requests)'],
              [413, 'body over the size limit'],
              [415, 'body not declared application/json'],
              [422, 'config invalid; details.problems lists every field'],
              [503, 'Temporal or the database is unreachable; the sweep is marked failed with the reason if it was written, and a retry with the same Idempotency-Key starts it'],
            ),
          },
        },
      },
      '/api/sweeps/{id}': {
        get: {
          operationId: 'getSweep',
          summary: 'Config, status and progress of a sweep',
          parameters: [idParameter('sweep')],
          responses: { '200': json('SweepDetail', 'the sweep'), ...errors([404, 'no such sweep']) },
        },
      },
      '/api/sweeps/{id}/cancel': {
        post: {
          operationId: 'cancelSweep',
          summary: 'Cancel a queued or running sweep',
          parameters: [idParameter('sweep')],
          responses: {
            '202': json('CancelSweepResponse', 'cancellation requested'),
            ...errors([404, 'no such sweep'], [409, 'the sweep already finished'], [503, 'Temporal is unreachable']),
          },
        },
      },
      '/api/sweeps/{id}/front': {
        get: {
          operationId: 'getFront',
          summary: 'Pareto front and dominated points on one cost axis, with the seed network and retrained points',
          parameters: [
            idParameter('sweep'),
            ...queryParameters(wire.FrontQuerySchema),
            {
              name: 'If-None-Match',
              in: 'header',
              required: false,
              schema: { type: 'string' },
              description: 'the ETag of a front the caller holds; answered 304 without a body while it is still current',
            },
          ],
          responses: {
            '200': {
              ...json('Front', 'the front (gzip-encoded when Accept-Encoding allows gzip)'),
              headers: { ETag: { description: 'weak validator of this front, for If-None-Match', schema: { type: 'string' } } },
            },
            '304': {
              description: 'the front named by If-None-Match is still current',
              headers: { ETag: { description: 'the same validator', schema: { type: 'string' } } },
            },
            ...errors([404, 'no such sweep'], [422, 'unknown cost axis']),
          },
        },
      },
      '/api/sweeps/{id}/events': {
        get: {
          operationId: 'streamSweepEvents',
          summary: 'Server-sent events: `run` per run change, `progress` on count changes, `end` when the sweep finishes',
          parameters: [idParameter('sweep')],
          responses: {
            '200': {
              description:
                'text/event-stream; event data are ProgressEvent (progress, end) and RunEvent (run) JSON objects',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
            },
            ...errors([404, 'no such sweep']),
          },
        },
      },
      '/api/runs/{id}': {
        get: {
          operationId: 'getRun',
          summary: 'A run with its curves and alive widths',
          parameters: [idParameter('run')],
          responses: { '200': json('RunDetail', 'the run'), ...errors([404, 'no such run']) },
        },
      },
      '/api/runs/{id}/structure': {
        get: {
          operationId: 'getRunStructure',
          summary: 'The learned structure: MorphSweep structure JSON, or ?format=morphnet for the flat MorphNet view',
          parameters: [idParameter('run'), ...queryParameters(wire.StructureQuerySchema)],
          responses: {
            '200': {
              description: 'the structure',
              content: { 'application/json': { schema: { type: 'object' } } },
            },
            ...errors([404, 'no such run'], [409, 'the run has no structure yet'], [422, 'unknown format']),
          },
        },
      },
      '/api/runs/{id}/retrain': {
        post: {
          operationId: 'retrainRun',
          summary: "Retrain a completed run's structure from scratch, optionally scaled",
          parameters: [idParameter('run'), idempotencyKeyParameter('retrain')],
          requestBody: { required: false, content: { 'application/json': { schema: ref('RetrainRequest') } } },
          responses: {
            '202': json('RetrainCreated', 'retrain started'),
            '200': json('RetrainCreated', 'an earlier request with this Idempotency-Key started it'),
            ...errors(
              [400, 'body is not JSON, or a bad Idempotency-Key'],
              [404, 'no such run'],
              [409, 'the run has not completed, or the Idempotency-Key was used for another retrain request'],
              [413, 'body over the size limit'],
              [415, 'body not declared application/json'],
              [422, 'invalid options'],
              [503, 'Temporal or the database is unreachable; a retrain written is marked failed with the reason, and a retry with the same Idempotency-Key starts it'],
            ),
          },
        },
      },
      '/api/runs/{id}/evidence': {
        post: {
          operationId: 'startEvidence',
          summary: "Retrain N seeds of the run's structure and N of the uniform-width seed network at the same cost (optionally both expanded); Welch 95 % interval of the difference",
          parameters: [idParameter('run')],
          requestBody: { required: false, content: { 'application/json': { schema: ref('EvidenceRequest') } } },
          responses: {
            '202': json('EvidenceCreated', 'evidence run started'),
            ...errors(
              [400, 'body is not JSON'],
              [404, 'no such run'],
              [409, 'the run has not completed, or expandTo is not above its cost'],
              [413, 'body over the size limit'],
              [415, 'body not declared application/json'],
              [422, 'invalid options'],
              [503, 'Temporal is unreachable'],
            ),
          },
        },
      },
      '/api/evidence/{id}': {
        get: {
          operationId: 'getEvidence',
          summary: 'Arms (one retrain per arm and seed) and, once finished, means, sds and intervals of an evidence run',
          parameters: [idParameter('evidence')],
          responses: { '200': json('Evidence', 'the evidence run'), ...errors([404, 'no such evidence run']) },
        },
      },
      '/api/sweeps/{id}/evidence': {
        get: {
          operationId: 'listSweepEvidence',
          summary: 'Every evidence run of the sweep, oldest first (the front draws their arms)',
          parameters: [idParameter('sweep')],
          responses: { '200': json('EvidenceList', 'the evidence runs'), ...errors([404, 'no such sweep']) },
        },
      },
      '/api/retrains/{id}': {
        get: {
          operationId: 'getRetrain',
          summary: 'Status and result of a retrain',
          parameters: [idParameter('retrain')],
          responses: { '200': json('Retrain', 'the retrain'), ...errors([404, 'no such retrain']) },
        },
      },
      '/api/models': {
        post: {
          operationId: 'uploadModel',
          summary: "Store a user's network (TF.js Layers model.json, weights optional) for sweeps to name",
          description:
            'The model is checked before anything is stored: every layer class must be one MorphNet crawls (custom and Lambda ' +
            'classes are refused, never deserialized), the network must hold something prunable and stay under the size limit. ' +
            'It is stored once under "sha256:<hex>" of its topology, weight specs and weights; a sweep names it as ' +
            '{"network": {"model": "<modelId>"}} and is checked against its dataset and regularizer when it is created. ' +
            'Bodies may be up to ~44 MiB (32 MiB of model, base64).',
          requestBody: { required: true, content: { 'application/json': { schema: ref('UploadModelRequest') } } },
          responses: {
            '201': json('UserModel', 'stored'),
            '200': json('UserModel', 'the same content was stored before'),
            ...errors(
              [400, 'body is not JSON'],
              [413, 'body over the size limit'],
              [415, 'body not declared application/json'],
              [422, 'validation_failed (the envelope) or invalid_model: details.problems lists every ModelProblem (layer, className, message)'],
            ),
          },
        },
      },
      '/api/models/{id}': {
        get: {
          operationId: 'getModel',
          summary: 'A stored model: its summary (layers, parameters, prunable layers)',
          parameters: [idParameter('model ("sha256:<hex>")')],
          responses: { '200': json('UserModel', 'the model'), ...errors([404, 'no such model']) },
        },
      },
      '/api/retrains/{id}/model.json': {
        get: {
          operationId: 'getRetrainedModel',
          summary: 'The retrained network as a TF.js Layers model.json (weights in weights.bin beside it)',
          description:
            'tf.loadLayersModel("<server>/api/retrains/{id}/model.json", {requestInit: {headers: {Authorization: "Bearer <token>"}}}) ' +
            'loads it with its weights; tensorflowjs_converter --input_format tfjs_layers_model --output_format keras turns the two files into Keras.',
          parameters: [idParameter('retrain')],
          responses: {
            '200': { description: 'model.json', content: { 'application/json': { schema: { type: 'object' } } } },
            ...errors([404, 'no such retrain'], [409, 'the retrain has not completed (model_not_ready)']),
          },
        },
      },
      '/api/retrains/{id}/weights.bin': {
        get: {
          operationId: 'getRetrainedWeights',
          summary: "The retrained network's weights, the one file its model.json's weightsManifest names",
          parameters: [idParameter('retrain')],
          responses: {
            '200': { description: 'float32 weights in manifest order', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
            ...errors([404, 'no such retrain'], [409, 'the retrain has not completed (model_not_ready)']),
          },
        },
      },
      '/api/session': {
        post: {
          operationId: 'signIn',
          summary: 'Trade a token for an HttpOnly session cookie (browsers)',
          security: [],
          requestBody: { required: true, content: { 'application/json': { schema: ref('SessionRequest') } } },
          responses: {
            '204': { description: 'signed in; the cookie is set' },
            ...errors([400, 'body is not JSON'], [413, 'body over the size limit'], [415, 'body not declared application/json'], [422, 'no token given']),
          },
        },
        delete: {
          operationId: 'signOut',
          summary: 'Clear the session cookie',
          security: [],
          responses: { '204': { description: 'signed out' } },
        },
      },
      '/api/workers': {
        get: {
          operationId: 'describeWorkers',
          summary: "Workers polling this deployment's task queues (Temporal DescribeTaskQueue), to tell queued work that no worker will pick up",
          responses: { '200': json('WorkerStatus', 'the pollers of each task queue'), ...errors([503, 'Temporal is unreachable']) },
        },
      },
      '/api/health': {
        get: {
          operationId: 'health',
          summary: 'Liveness, and whether calls need a token',
          security: [],
          responses: { '200': json('Health', 'the server is up') },
        },
      },
    },
    components: {
      schemas,
      securitySchemes: {
        bearerToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'a token from `morphsweep token create <name>`',
        },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'morphsweep_token' },
      },
    },
  };
}

let cachedDocument: object | undefined;

export function openApiDocument(): object {
  cachedDocument ??= buildOpenApiDocument();
  return cachedDocument;
}
