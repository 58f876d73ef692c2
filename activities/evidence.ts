import { ApplicationFailure } from '@temporalio/activity';
import type { PrismaClient } from '../src/db/client.ts';
import { finishEvidence, getEvidenceRow, registerEvidenceArms, type EvidenceArmRegistration } from '../src/db/repositories/evidence.ts';
import { getRun } from '../src/db/repositories/runs.ts';
import { getSweep } from '../src/db/repositories/sweeps.ts';
import { largestWidthMultiplierUnderCost, uniformWidthMultiplierAtCost, type StructureJson } from '../src/morphnet/index.ts';
import { latencyHardwareOf, type SweepConfig } from '../src/sweep/config.ts';
import { armsOf, evidenceSeeds, type EvidenceArm, type EvidenceSummary } from '../src/sweep/evidence.ts';
import { costColumnOf, type EvidencePlan } from '../src/sweep/orchestration.ts';
import { errorMessageOf, nonRetryableTypeOf } from './failures.ts';
import { buildSweepNetwork, loadSweepDataset } from './networks.ts';

/**
 * The evidence workflow's activities: plan the arms (the width multiplier of each, by the uniform
 * baseline rule) and register them as Retrain rows; record the verdict.
 */
export function createEvidenceActivities({ prisma }: { prisma: PrismaClient }) {
  return {
    async planEvidence({ evidenceId }: { evidenceId: string }): Promise<EvidencePlan> {
      const evidence = await getEvidenceRow(prisma, evidenceId);
      try {
        const run = await getRun(prisma, evidence.runId);
        const config = (await getSweep(prisma, run.sweepId)).config as unknown as SweepConfig;
        const structureCost = run[costColumnOf(config.regularizer.cost)];
        if (run.structure === null || structureCost === null) {
          throw ApplicationFailure.nonRetryable(`run ${run.id} has no learned structure (it is ${run.status})`, 'InvalidInput');
        }
        const structure = run.structure as unknown as StructureJson;
        const dataset = await loadSweepDataset(config);
        // Built once: each width search below rebuilds from it (a user's model is loaded from Postgres).
        const seedNetwork = (await buildSweepNetwork(prisma, config, dataset, run.seed, { gated: false })).model;
        const costOptions = { cost: config.regularizer.cost, ...(config.regularizer.cost === 'latency' ? { hardware: latencyHardwareOf(config) } : {}) };
        const multiplierOf: Record<EvidenceArm, () => number> = {
          structure: () => 1,
          uniform: () => uniformWidthMultiplierAtCost(seedNetwork, structure, { ...costOptions, targetCost: structureCost }),
          'structure-expanded': () => largestWidthMultiplierUnderCost(seedNetwork, structure, { ...costOptions, targetCost: evidence.expandTo! }),
          'uniform-expanded': () => uniformWidthMultiplierAtCost(seedNetwork, structure, { ...costOptions, targetCost: evidence.expandTo! }),
        };
        const registrations: EvidenceArmRegistration[] = [];
        try {
          for (const arm of armsOf(evidence.expandTo !== null)) {
            const widthMultiplier = multiplierOf[arm]();
            const targetCost = arm === 'structure' ? undefined : arm === 'uniform' ? structureCost : evidence.expandTo!;
            for (const seed of evidenceSeeds(evidence.seeds)) {
              registrations.push({ retrainId: `${evidenceId}-${arm}-${seed}`, arm, seed, widthMultiplier, targetCost });
            }
          }
        } finally {
          seedNetwork.dispose();
        }
        await registerEvidenceArms(prisma, evidenceId, registrations, config.training.steps ?? 0);
        return {
          runId: run.id,
          costAxis: config.regularizer.cost,
          arms: registrations.map(({ retrainId, arm, seed, widthMultiplier }) => ({ retrainId, arm, seed, widthMultiplier, uniform: arm.startsWith('uniform') })),
        };
      } catch (error) {
        const type = nonRetryableTypeOf(error);
        if (type === undefined) throw error;
        throw ApplicationFailure.nonRetryable(errorMessageOf(error), type);
      }
    },

    async finishEvidence(input: { evidenceId: string; status: 'completed' | 'failed' | 'cancelled'; summary?: EvidenceSummary; error?: string }): Promise<void> {
      await finishEvidence(prisma, input.evidenceId, input);
    },
  };
}
