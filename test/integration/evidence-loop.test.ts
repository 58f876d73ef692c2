import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startEvidence, waitForEvidence } from '../../src/temporal/evidence.ts';
import { InvalidRetrainRequestError, startSweep, waitForSweep } from '../../src/temporal/sweeps.ts';
import type { EvidenceSummary } from '../../src/sweep/evidence.ts';
import { welchInterval } from '../../src/sweep/statistics.ts';
import { tinySweepConfig, useSweepTestEnvironment } from './sweep-harness.ts';

const env = useSweepTestEnvironment('evidence');

test('evidence retrains N seeds of the structure and of the uniform seed at the same cost, expanded too', async () => {
  const deps = env.deps();
  const { sweepId } = await startSweep(deps, tinySweepConfig({ name: 'evidence', thresholds: [0.5, 0.8, 0.95], strengths: { values: [1e-5] } }));
  await waitForSweep(deps, sweepId);
  const sweep = await env.database.prisma.sweep.findUniqueOrThrow({ where: { id: sweepId } });
  const seedFlops = (sweep.seedCost as { flops: number }).flops;
  const runs = await env.database.prisma.run.findMany({ where: { sweepId }, orderBy: { costFlops: 'asc' } });
  // A structure smaller than the seed that still has every layer.
  const run = runs.find((candidate) => candidate.costFlops! < seedFlops && candidate.costFlops! > seedFlops / 20);
  assert.ok(run, `no run pruned: ${runs.map((r) => r.costFlops! / seedFlops)}`);

  await assert.rejects(startEvidence(deps, run.id, { seeds: 1 }), InvalidRetrainRequestError);
  const { evidenceId } = await startEvidence(deps, run.id, { seeds: 2, expandTo: 'seed' });
  const result = await waitForEvidence(deps, evidenceId);
  assert.equal(result.status, 'completed');

  const evidence = await env.database.prisma.evidence.findUniqueOrThrow({ where: { id: evidenceId }, include: { retrains: true } });
  assert.equal(evidence.status, 'completed');
  assert.equal(evidence.retrains.length, 8);
  const armRows = (arm: string) => evidence.retrains.filter((retrain) => retrain.arm === arm);
  for (const arm of ['structure', 'uniform', 'structure-expanded', 'uniform-expanded']) {
    const rows = armRows(arm);
    assert.deepEqual(rows.map((row) => row.seed).sort(), [1, 2], arm);
    for (const row of rows) {
      assert.equal(row.status, 'completed', `${arm}: ${row.error}`);
      assert.ok(row.testAccuracy !== null && row.valAccuracy !== null);
    }
  }
  // Cost rule: the baseline never costs more than the structure; the expanded arms stay under the seed's cost.
  const structureCost = armRows('structure')[0]!.costFlops!;
  assert.equal(structureCost, run.costFlops);
  assert.ok(armRows('uniform')[0]!.costFlops! <= structureCost);
  for (const arm of ['structure-expanded', 'uniform-expanded']) assert.ok(armRows(arm)[0]!.costFlops! <= seedFlops);
  assert.ok(armRows('structure-expanded')[0]!.costFlops! > structureCost, 'expanding widens');

  const summary = evidence.summary as unknown as EvidenceSummary;
  assert.deepEqual(summary, result.summary);
  const comparison = summary.comparisons.find((c) => c.structureArm === 'structure')!;
  const expected = welchInterval(armRows('structure').map((r) => r.testAccuracy!), armRows('uniform').map((r) => r.testAccuracy!));
  assert.deepEqual(comparison.interval, JSON.parse(JSON.stringify(expected)));
  assert.equal(summary.comparisons.length, 2);

  // Evidence arms are not retrained points of the front (the uniform ones are not even this structure).
  const front = await env.database.prisma.$queryRaw<Array<{ count: bigint }>>`SELECT count(*) FROM "Retrain" WHERE "evidenceId" IS NULL`;
  assert.equal(Number(front[0]!.count), 0);
});
