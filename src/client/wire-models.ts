import { z } from 'zod';

/**
 * The user-model endpoints' wire types (POST /api/models, GET /api/models/{id}), beside wire.ts's:
 * the handlers parse with these and the OpenAPI document is generated from them.
 */

/** Base64 of the weight files a model.json's weightsManifest names, concatenated in manifest order. */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export const UploadModelRequestSchema = z
  .object({
    modelJson: z
      .record(z.string(), z.unknown())
      .describe('the model.json object as TF.js model.save() or tensorflowjs_converter wrote it (modelTopology, weightsManifest?)'),
    weights: z
      .string()
      .regex(BASE64, { error: 'must be base64 (RFC 4648, with padding)' })
      .optional()
      .describe("base64 of the manifest's weight files concatenated in manifest order; leave out to send the topology alone (runs then start from fresh weights)"),
  })
  .strict()
  .meta({ id: 'UploadModelRequest' });

export const ModelProblemSchema = z
  .object({
    layer: z.string().optional().describe('the layer at fault, when there is one'),
    className: z.string().optional(),
    message: z.string().describe('what is wrong and what to do'),
  })
  .meta({ id: 'ModelProblem' });

export const UserModelSummarySchema = z
  .object({
    name: z.string(),
    layers: z.number().int(),
    params: z.number().int(),
    inputShape: z.array(z.number().nullable()),
    outputWidth: z.number().nullable(),
    outputSoftmax: z.boolean().describe('the output ends in a softmax: training takes it off (logits), exports put it back'),
    hasWeights: z.boolean(),
    prunableLayers: z.array(z.string()).describe('conv, depthwise and dense layers whose widths MorphNet learns'),
  })
  .meta({ id: 'UserModelSummary' });

export const UserModelSchema = z
  .object({
    modelId: z.string().describe('"sha256:<hex>" of the topology, weight specs and weights: put it in a sweep config as network.model'),
    created: z.boolean().optional().describe('false when the same content was stored before'),
    summary: UserModelSummarySchema,
    warnings: z.array(z.string()).optional(),
    sizeBytes: z.number().int().optional(),
    createdAt: z.string().optional(),
  })
  .meta({ id: 'UserModel' });

export type UploadModelRequest = z.infer<typeof UploadModelRequestSchema>;
export type UserModel = z.infer<typeof UserModelSchema>;
export type ModelProblem = z.infer<typeof ModelProblemSchema>;
