/**
 * The shapes the dashboard draws are the HTTP API's own wire types (src/client/wire.ts), so the
 * dashboard and notebooks read one contract.
 */
import type { LiveProgress } from '../../src/client/wire.ts';

export type {
  Costs,
  CurvePoint,
  Front,
  FrontPoint,
  LayerWidth,
  LiveProgress,
  Retrain,
  RetrainedPoint,
  RunCounts,
  RunDetail,
  RunStatus,
  SweepDetail,
  SweepStatus,
  SweepSummary,
} from '../../src/client/wire.ts';
export type { CostKind as CostAxis } from '../../src/sweep/config.ts';

/** One run training right now, from the sweep workflow's progress query. */
export type LiveRun = LiveProgress['running'][number];
