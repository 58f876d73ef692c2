import type { PrismaClient } from '../src/db/client.ts';
import { createBookkeepingActivities } from './bookkeeping.ts';
import { createEvidenceActivities } from './evidence.ts';
import { createTargetSearchActivities } from './target-search.ts';
import { createLearnStructureActivity } from './learn-structure.ts';
import { createMeasureActivity } from './measure.ts';
import { createRetrainActivity } from './retrain.ts';
import { createSeedAccuracyActivity } from './seed-accuracy.ts';

/** What every activity needs from its worker process. */
export interface ActivityDeps {
  prisma: PrismaClient;
}

/** All MorphSweep activities, bound to one worker's Prisma client (Temporal samples' factory pattern). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createBookkeepingActivities(deps),
    ...createEvidenceActivities(deps),
    ...createTargetSearchActivities(deps),
    measureSeedCost: createMeasureActivity(deps),
    measureSeedAccuracy: createSeedAccuracyActivity(deps),
    learnStructure: createLearnStructureActivity(deps),
    retrainStructure: createRetrainActivity(deps),
  };
}

export type MorphSweepActivities = ReturnType<typeof createActivities>;
