import { z } from 'zod';
import { COST_KINDS, SweepConfigSchema } from '../sweep/config.ts';

/**
 * The JSON that crosses the HTTP API, as zod schemas. One definition serves three readers: the route
 * handlers (requests are parsed with it), the OpenAPI document (generated from it) and the typed
 * client (its types are inferred from it). Pure: the dashboard's browser code may import it.
 */

export const SWEEP_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export const RUN_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export const STRUCTURE_FORMATS = ['morphsweep', 'morphnet'] as const;

export const SweepStatusSchema = z.enum(SWEEP_STATUSES);
export const RunStatusSchema = z.enum(RUN_STATUSES);
export const CostKindSchema = z.enum(COST_KINDS);

const isoTime = z.string().describe('ISO 8601 timestamp (UTC)');
const nullableIsoTime = isoTime.nullable();

export const ErrorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z.string().describe('stable machine-readable code, e.g. validation_failed'),
      message: z.string().describe('what was wrong and what to do'),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'ErrorEnvelope' });

/** One field-level problem in a rejected request; every problem is listed, never only the first. */
export const FieldProblemSchema = z
  .object({ path: z.string(), message: z.string(), value: z.unknown().optional() })
  .meta({ id: 'FieldProblem' });

/** Costs of one network on every axis; latency is for the sweep's hardware. */
export const CostsSchema = z
  .object({
    flops: z.number().nullable(),
    modelSize: z.number().nullable(),
    latencyNs: z.number().nullable(),
  })
  .meta({ id: 'Costs' });

export const RunCountsSchema = z
  .object({
    total: z.number().int(),
    pending: z.number().int(),
    running: z.number().int(),
    completed: z.number().int(),
    failed: z.number().int(),
    cancelled: z.number().int(),
  })
  .meta({ id: 'RunCounts' });

export const BestPointSchema = z
  .object({
    runId: z.string(),
    accuracy: z.number().describe('validation accuracy'),
    cost: z.number().nullable().describe("hard cost on the sweep's target axis"),
  })
  .meta({ id: 'BestPoint' });

export const SweepSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    status: SweepStatusSchema,
    tags: z.array(z.string()),
    costAxis: CostKindSchema,
    runs: RunCountsSchema,
    best: BestPointSchema.nullable().describe('the completed run with the highest validation accuracy'),
    createdAt: isoTime,
    startedAt: nullableIsoTime,
    finishedAt: nullableIsoTime,
  })
  .meta({ id: 'SweepSummary' });

export const SweepPageSchema = z
  .object({
    items: z.array(SweepSummarySchema),
    nextCursor: z.string().nullable().describe('pass as ?cursor= for the next page; null on the last page'),
  })
  .meta({ id: 'SweepPage' });

export const LiveRunSchema = z
  .object({
    runId: z.string(),
    strength: z.number(),
    threshold: z.number(),
    seed: z.number().int(),
    step: z.number().int(),
    totalSteps: z.number().int(),
    loss: z.number(),
    regLoss: z.number(),
    cost: z.number().describe("hard cost on the sweep's target axis at this step"),
    accuracy: z.number().nullable(),
    attempt: z.number().int(),
  })
  .meta({ id: 'LiveRun' });

/** What the running sweep workflow itself reports (its progress query), finer-grained than the store. */
export const LiveProgressSchema = z
  .object({
    state: z.enum(['measuring', 'running', 'cancelling', 'completed', 'failed', 'cancelled']),
    initialCost: z.number().nullable().describe("the seed network's cost on the target axis"),
    totalRuns: z.number().int(),
    counts: RunCountsSchema.omit({ total: true }),
    running: z.array(LiveRunSchema).describe('runs training right now, with their latest heartbeat'),
  })
  .meta({ id: 'LiveProgress' });

export const SweepDetailSchema = SweepSummarySchema.extend({
  config: z.record(z.string(), z.unknown()).describe('the validated sweep config, defaults filled in'),
  seedCost: CostsSchema.nullable(),
  seedAccuracy: z.number().nullable(),
  error: z.string().nullable(),
  live: LiveProgressSchema.nullable().describe("the workflow's own answer while the sweep runs; null when finished or unreachable"),
  targetSearch: z
    .lazy(() => TargetSearchSchema)
    .nullable()
    .optional()
    .describe('a target-cost sweep: every round of probes (stored after each round) and the outcome; null for grid sweeps'),
}).meta({ id: 'SweepDetail' });

export const CreateSweepResponseSchema = z
  .object({
    sweepId: z.string(),
    created: z.boolean().describe('false when an earlier request with the same Idempotency-Key made it'),
    warnings: z.array(z.string()).optional().describe("what the sweep of a user's model will not learn (e.g. layers without batch norm under gamma)"),
  })
  .meta({ id: 'CreateSweepResponse' });

export const CancelSweepResponseSchema = z
  .object({ sweepId: z.string(), status: SweepStatusSchema })
  .meta({ id: 'CancelSweepResponse' });

export const FrontPointSchema = z
  .object({
    runId: z.string(),
    strength: z.number(),
    threshold: z.number(),
    seed: z.number().int(),
    cost: z.number(),
    accuracy: z.number().describe('validation accuracy'),
  })
  .meta({ id: 'FrontPoint' });

export const ReferencePointSchema = z
  .object({ cost: z.number(), accuracy: z.number().nullable() })
  .meta({ id: 'ReferencePoint' });

export const RetrainedPointSchema = z
  .object({
    retrainId: z.string(),
    runId: z.string(),
    widthMultiplier: z.number().nullable(),
    targetCost: z.number().nullable(),
    cost: z.number(),
    accuracy: z.number(),
  })
  .meta({ id: 'RetrainedPoint' });

export const FrontSchema = z
  .object({
    sweepId: z.string(),
    cost: CostKindSchema,
    seedNetwork: ReferencePointSchema.nullable().describe('the full-width seed network'),
    pareto: z.array(FrontPointSchema).describe('non-dominated completed runs, by ascending cost'),
    dominated: z.array(FrontPointSchema),
    retrained: z.array(RetrainedPointSchema).describe('finished retrains of any run of this sweep'),
  })
  .meta({ id: 'Front' });

export const CurvePointSchema = z
  .object({
    step: z.number().int(),
    taskLoss: z.number(),
    regLoss: z.number(),
    cost: z.number(),
    valAccuracy: z.number().nullable(),
  })
  .meta({ id: 'CurvePoint' });

export const LayerWidthSchema = z
  .object({
    name: z.string(),
    kind: z.enum(['conv', 'depthwise', 'dense']),
    alive: z.number().int().describe('output channels the learned structure keeps'),
    seed: z.number().int().describe("output channels of the seed network's layer"),
    fixed: z.boolean().describe('width fixed by the task (e.g. the logits); never pruned'),
  })
  .meta({ id: 'LayerWidth' });

export const RetrainSchema = z
  .object({
    id: z.string(),
    runId: z.string(),
    sweepId: z.string(),
    status: RunStatusSchema,
    widthMultiplier: z.number().nullable(),
    targetCost: z.number().nullable(),
    costAxis: CostKindSchema,
    step: z.number().int(),
    totalSteps: z.number().int(),
    costs: CostsSchema,
    valAccuracy: z.number().nullable(),
    testAccuracy: z.number().nullable(),
    error: z.string().nullable(),
    engine: z
      .string()
      .nullable()
      .describe('the TF.js engine that trained it: backend, versions, devices, threads; null until it starts (and for rows from before engines were recorded)'),
    createdAt: isoTime,
    finishedAt: nullableIsoTime,
  })
  .meta({ id: 'Retrain' });

export const RunDetailSchema = z
  .object({
    id: z.string(),
    sweepId: z.string(),
    strength: z.number(),
    threshold: z.number(),
    seed: z.number().int(),
    status: RunStatusSchema,
    attempt: z.number().int(),
    step: z.number().int(),
    totalSteps: z.number().int(),
    costs: CostsSchema,
    valAccuracy: z.number().nullable(),
    testAccuracy: z.number().nullable(),
    error: z.string().nullable(),
    engine: z
      .string()
      .nullable()
      .describe('the TF.js engine that trained it: backend, versions, devices, threads; null until it starts (and for rows from before engines were recorded)'),
    createdAt: isoTime,
    startedAt: nullableIsoTime,
    finishedAt: nullableIsoTime,
    curve: z.array(CurvePointSchema).describe('by ascending step'),
    narrowestCost: CostsSchema.nullable().describe('costs of the structure rebuilt with every layer at about one channel: the lowest target cost a retrain can meet'),
    layers: z
      .array(LayerWidthSchema)
      .nullable()
      .describe('alive output channels per regularized layer beside the seed width; null until the run finishes'),
    retrains: z.array(RetrainSchema),
  })
  .meta({ id: 'RunDetail' });

export const RetrainRequestSchema = z
  .object({
    widthMultiplier: z.number().finite().positive().max(8).optional(),
    targetCost: z.number().finite().positive().optional(),
  })
  .strict()
  .refine((body) => body.widthMultiplier === undefined || body.targetCost === undefined, {
    message: 'give at most one of widthMultiplier or targetCost',
    path: ['targetCost'],
    // Report this beside any other problem in the body, not only once the rest is valid.
    when: (payload) => typeof payload.value === 'object' && payload.value !== null,
  })
  .meta({ id: 'RetrainRequest' });

export const RetrainCreatedSchema = z.object({ retrainId: z.string() }).meta({ id: 'RetrainCreated' });

export const SweepListQuerySchema = z
  .object({
    status: z
      .string()
      .optional()
      .describe(`comma-separated statuses to keep: ${SWEEP_STATUSES.join(', ')}`)
      .transform((raw, ctx) => {
        if (raw === undefined || raw === '') return undefined;
        const statuses = raw.split(',').map((s) => s.trim());
        const unknown = statuses.filter((s) => !(SWEEP_STATUSES as readonly string[]).includes(s));
        if (unknown.length > 0) {
          ctx.addIssue({
            code: 'custom',
            message: `unknown status ${unknown.map((s) => JSON.stringify(s)).join(', ')}; use ${SWEEP_STATUSES.join(', ')}`,
          });
          return z.NEVER;
        }
        return statuses as Array<(typeof SWEEP_STATUSES)[number]>;
      }),
    tag: z.string().min(1).max(64).optional().describe('keep sweeps carrying this tag'),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().min(1).max(500).optional(),
  })
  .strict();

export const FrontQuerySchema = z
  .object({ cost: CostKindSchema.optional().describe("defaults to the sweep's target axis") })
  .strict();

export const StructureQuerySchema = z
  .object({ format: z.enum(STRUCTURE_FORMATS).default('morphsweep') })
  .strict();

/** Server-sent event payloads of GET /api/sweeps/{id}/events (event names: progress, run, end). */
export const ProgressEventSchema = z
  .object({ sweepId: z.string(), status: SweepStatusSchema, runs: RunCountsSchema })
  .meta({ id: 'ProgressEvent' });

export const RunEventSchema = z
  .object({
    runId: z.string(),
    status: RunStatusSchema,
    step: z.number().int(),
    totalSteps: z.number().int(),
    strength: z.number(),
    threshold: z.number(),
    costs: CostsSchema,
    valAccuracy: z.number().nullable(),
  })
  .meta({ id: 'RunEvent' });

export const SessionRequestSchema = z
  .object({ token: z.string().min(1).max(200) })
  .strict()
  .meta({ id: 'SessionRequest' });

export const WorkerStatusSchema = z
  .object({
    ready: z.boolean().describe('every task queue has a worker that polled in the last 2 minutes: queued work will be picked up'),
    queues: z.array(
      z.object({
        taskQueue: z.string(),
        role: z.enum(['workflows', 'bookkeeping', 'training']),
        pollers: z.array(z.object({ identity: z.string(), lastPolledAt: nullableIsoTime })),
        listening: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'WorkerStatus' });

export const HealthSchema = z
  .object({ ok: z.literal(true), authRequired: z.boolean() })
  .meta({ id: 'Health' });

export { SweepConfigSchema };

export type ErrorEnvelope = z.infer<typeof ErrorEnvelopeSchema>;
export type FieldProblem = z.infer<typeof FieldProblemSchema>;
export type Costs = z.infer<typeof CostsSchema>;
export type RunCounts = z.infer<typeof RunCountsSchema>;
export type SweepSummary = z.infer<typeof SweepSummarySchema>;
export type SweepPage = z.infer<typeof SweepPageSchema>;
export type SweepDetail = z.infer<typeof SweepDetailSchema>;
export type LiveProgress = z.infer<typeof LiveProgressSchema>;
export type CreateSweepResponse = z.infer<typeof CreateSweepResponseSchema>;
export type CancelSweepResponse = z.infer<typeof CancelSweepResponseSchema>;
export type FrontPoint = z.infer<typeof FrontPointSchema>;
export type RetrainedPoint = z.infer<typeof RetrainedPointSchema>;
export type Front = z.infer<typeof FrontSchema>;
export type CurvePoint = z.infer<typeof CurvePointSchema>;
export type LayerWidth = z.infer<typeof LayerWidthSchema>;
export type Retrain = z.infer<typeof RetrainSchema>;
export type RunDetail = z.infer<typeof RunDetailSchema>;
export type RetrainRequest = z.infer<typeof RetrainRequestSchema>;
export type SweepListQuery = z.input<typeof SweepListQuerySchema>;
export type ProgressEvent = z.infer<typeof ProgressEventSchema>;
export type RunEvent = z.infer<typeof RunEventSchema>;
export type SweepStatus = z.infer<typeof SweepStatusSchema>;
export type RunStatus = z.infer<typeof RunStatusSchema>;
export type StructureFormat = (typeof STRUCTURE_FORMATS)[number];
export type WorkerStatus = z.infer<typeof WorkerStatusSchema>;

// Evidence: a structure retrained over several seeds beside the uniform-width seed network at equal cost.

export const EvidenceRequestSchema = z
  .object({
    seeds: z.number().int().min(2).max(10).optional().describe('retrained seeds per arm; default 3'),
    expandTo: z
      .union([z.number().finite().positive(), z.literal('seed')])
      .optional()
      .describe("also retrain both arms widened to this cost ('seed': the seed network's cost), MorphNet's expand step"),
  })
  .strict()
  .meta({ id: 'EvidenceRequest' });

export const EvidenceCreatedSchema = z.object({ evidenceId: z.string() }).meta({ id: 'EvidenceCreated' });

const EvidenceArmNameSchema = z.enum(['structure', 'uniform', 'structure-expanded', 'uniform-expanded']);
const MeanSdSchema = z.object({ mean: z.number(), sd: z.number() });

export const EvidenceSummarySchema = z
  .object({
    arms: z.array(
      z.object({
        arm: EvidenceArmNameSchema,
        count: z.number().int(),
        cost: z.number().describe("cost on the sweep's axis of the network this arm trained"),
        widthMultiplier: z.number(),
        testAccuracy: MeanSdSchema,
        valAccuracy: MeanSdSchema,
      }),
    ),
    comparisons: z.array(
      z.object({
        structureArm: z.enum(['structure', 'structure-expanded']),
        baselineArm: z.enum(['uniform', 'uniform-expanded']),
        interval: z
          .object({ difference: z.number(), low: z.number(), high: z.number(), degreesOfFreedom: z.number().nullable(), level: z.number() })
          .describe('test accuracy of the structure minus the uniform baseline, Welch t interval'),
        winner: z.enum(['structure', 'uniform', 'undecided']),
      }),
    ),
  })
  .meta({ id: 'EvidenceSummary' });

export const EvidenceArmRunSchema = z.object({
  retrainId: z.string(),
  arm: EvidenceArmNameSchema,
  seed: z.number().int(),
  status: RunStatusSchema,
  widthMultiplier: z.number().nullable(),
  step: z.number().int(),
  totalSteps: z.number().int(),
  costs: CostsSchema,
  valAccuracy: z.number().nullable(),
  testAccuracy: z.number().nullable(),
  error: z.string().nullable(),
});

export const EvidenceSchema = z
  .object({
    id: z.string(),
    runId: z.string(),
    sweepId: z.string(),
    status: RunStatusSchema,
    seeds: z.number().int(),
    expandTo: z.number().nullable(),
    costAxis: CostKindSchema,
    summary: EvidenceSummarySchema.nullable().describe('set once every arm finished'),
    arms: z.array(EvidenceArmRunSchema),
    error: z.string().nullable(),
    createdAt: isoTime,
    finishedAt: nullableIsoTime,
  })
  .meta({ id: 'Evidence' });

export const EvidenceListSchema = z.object({ evidence: z.array(EvidenceSchema) }).meta({ id: 'EvidenceList' });

export type EvidenceRequest = z.infer<typeof EvidenceRequestSchema>;
export type Evidence = z.infer<typeof EvidenceSchema>;
export type EvidenceList = z.infer<typeof EvidenceListSchema>;

// Target-cost search (src/sweep/target-search.ts TargetSearchState).
const SearchProbeSummarySchema = z.object({ runId: z.string(), strength: z.number(), cost: z.number() });

export const TargetSearchSchema = z
  .object({
    targetCost: z.number(),
    tolerance: z.number(),
    rounds: z.array(
      z.object({
        round: z.number().int(),
        probes: z.array(
          z.object({
            runId: z.string(),
            strength: z.number(),
            state: z.enum(['running', 'completed', 'failed', 'cancelled']),
            cost: z.number().nullable(),
            valAccuracy: z.number().nullable(),
            steps: z.number().int().nullable().describe('fewer than configured when the probe stopped early, settled off target'),
          }),
        ),
      }),
    ),
    outcome: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('hit'), runId: z.string(), cost: z.number(), message: z.string() }),
        z.object({
          kind: z.literal('jump'),
          above: SearchProbeSummarySchema,
          below: SearchProbeSummarySchema,
          suggestedWidthMultiplier: z.number().nullable(),
          message: z.string(),
        }),
        z.object({ kind: z.literal('exhausted'), above: SearchProbeSummarySchema.nullable(), below: SearchProbeSummarySchema.nullable(), message: z.string() }),
      ])
      .nullable(),
  })
  .meta({ id: 'TargetSearch' });

export type TargetSearch = z.infer<typeof TargetSearchSchema>;
