import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startAppWithWorker, TINY_DATASET, type AppWithWorker } from '../integration/sweep-harness.ts';
import { openDashboardBrowser, type DashboardBrowser } from './browser.ts';

/**
 * The whole dashboard flow on real parts: a sweep created from the form runs on Temporal with a real
 * worker training TF.js on a tiny synthetic dataset, its points appear on the open page without a
 * reload, a point opens its run, a retrain started there finishes and shows on the front.
 * The app runs in the loopback no-auth mode (MORPHSWEEP_AUTH=off on 127.0.0.1).
 */

const SWEEP_TIMEOUT_MS = 240_000;

let services: AppWithWorker;
let browser: DashboardBrowser;

before(async () => {
  services = await startAppWithWorker('e2e-flow', { workerConcurrency: 2, env: { MORPHSWEEP_AUTH: 'off', MORPHSWEEP_SSE_POLL_MS: '300' } });
  browser = await openDashboardBrowser({ baseUrl: services.app.url, artifactPrefix: 'flow' });
});

after(async () => {
  await browser?.close();
  await services?.stop();
});

test('create a sweep from the form, watch its points appear, retrain one and see it on the front', { timeout: 2 * SWEEP_TIMEOUT_MS }, async () => {
  const { page } = browser;
  await page.goto('/');
  await page.getByRole('link', { name: 'New sweep' }).first().click();
  await page.getByLabel('Name').fill('e2e flow sweep');
  await page.getByLabel('Dataset').fill(TINY_DATASET);
  await page.getByLabel('Seed width multiplier').fill('0.25');
  // FiGS is the form's default; this flow keeps to gamma, the cheapest regularizer to train.
  await page.getByLabel('Algorithm').selectOption('gamma');
  await page.getByLabel('Alive thresholds').fill('0.01');
  await page.getByLabel('Explicit list').check();
  await page.getByLabel('Strengths', { exact: true }).fill('1e-7, 1e-5');
  await page.getByLabel('Length', { exact: true }).fill('40');
  await page.getByLabel('Batch size').fill('16');
  await page.getByLabel('Learning rate (fixed)').fill('0.05');
  await page.getByLabel('Evaluate every (steps)').fill('10');
  await page.getByLabel('Checkpoint every (steps)').fill('10');
  await page.getByLabel('Concurrent runs').fill('2');
  await browser.screenshot('new-sweep-form');
  await page.getByRole('button', { name: 'Start sweep' }).click();

  await page.waitForURL(/\/sweeps\/(?!new)[^/?]+$/);
  const sweepId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
  await page.getByRole('heading', { name: 'e2e flow sweep' }).waitFor();
  const runMarkers = page.locator('[data-point-key^="run:"]');
  const markersAtFirstSight = await runMarkers.count();

  // No reload from here on: the page must pick progress and finished runs up by itself.
  let sawTrainingTable = false;
  const deadline = Date.now() + SWEEP_TIMEOUT_MS;
  while ((await runMarkers.count()) < 2) {
    assert.ok(Date.now() < deadline, 'the sweep\'s two points did not appear on the open page');
    if (!sawTrainingTable && (await page.getByTestId('live-runs').isVisible())) {
      sawTrainingTable = true;
      await browser.screenshot('sweep-running');
    }
    await page.waitForTimeout(250);
  }
  await page.locator('.status-badge[data-status="completed"]').first().waitFor({ timeout: SWEEP_TIMEOUT_MS });
  assert.ok(markersAtFirstSight < 2, `the sweep had finished before its page showed (${markersAtFirstSight} points): nothing proved live updates`);
  // The seed network's reference line: at its accuracy once measured (with a ring), else at its cost.
  assert.equal(await page.locator('[data-testid="pareto-chart"] .seed-reference-line').count(), 1, 'the seed network is drawn');
  assert.equal(await page.locator('[data-testid="front-table"] tbody tr[data-run-id]').count(), 2);
  await browser.screenshot('sweep-finished');

  // Click a point, as a user would; two runs of a tiny sweep may share a spot.
  const sweepRunIds = await page.locator('[data-testid="front-table"] tbody tr[data-run-id]').evaluateAll((rows) =>
    rows.map((row) => row.getAttribute('data-run-id')),
  );
  // The last marker is drawn on top of any it overlaps.
  await runMarkers.last().click();
  await page.waitForURL(/\/runs\/[^/]+$/);
  const runId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
  assert.ok(sweepRunIds.includes(runId), `the opened run ${runId} is one of the sweep's points`);
  assert.match(await page.getByRole('heading', { level: 1 }).innerText(), new RegExp(runId));
  // The raw loss line (a smoothed one follows once there are enough samples).
  await page.locator('[data-testid="curve-taskLoss"] .recharts-line path.recharts-curve').first().waitFor();
  await page.getByRole('table', { name: 'Channels per layer' }).waitFor();

  await page.getByLabel('Width multiplier').check();
  await page.getByLabel(/Multiplier/).fill('1.5');
  // An impatient double click starts one retrain, not two.
  await page.getByRole('button', { name: 'Retrain' }).dblclick();
  const retrainRow = page.locator('[data-testid="retrain-table"] tr[data-retrain-id]');
  await retrainRow.first().waitFor();
  assert.match(await retrainRow.first().innerText(), /width ×1\.5/);
  await page.locator('[data-testid="retrain-table"] tr[data-status="completed"]').waitFor({ timeout: SWEEP_TIMEOUT_MS });
  const retrainId = await retrainRow.first().getAttribute('data-retrain-id');
  assert.match(await retrainRow.first().innerText(), /\d+\.\d%/, 'a finished retrain shows its accuracy');
  assert.equal(await services.database.prisma.retrain.count({ where: { runId } }), 1, 'the double click trained once');
  assert.equal(await retrainRow.count(), 1);
  // The retrained network downloads as a TF.js Layers model, authorized by the session cookie.
  const modelLink = retrainRow.first().getByRole('link', { name: 'model.json' });
  const modelUrl = new URL((await modelLink.getAttribute('href'))!, page.url()).toString();
  const modelJson = (await (await page.request.get(modelUrl)).json()) as { weightsManifest: { paths: string[] }[] };
  assert.deepEqual(modelJson.weightsManifest[0]!.paths, ['weights.bin']);
  await browser.screenshot('run-retrained');

  // Evidence: the structure against uniform width at the same cost, 2 seeds each.
  await page.getByLabel('Seeds per arm').fill('2');
  await page.getByRole('button', { name: 'Compare with uniform width' }).click();
  await page.locator('[data-testid="evidence"][data-status="completed"]').waitFor({ timeout: SWEEP_TIMEOUT_MS });
  assert.deepEqual(await page.locator('[data-testid="evidence-arms-table"] tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-arm'))), ['structure', 'uniform']);
  assert.match(await page.locator('.evidence-verdicts li').first().innerText(), /95 % CI \[/);
  await browser.screenshot('run-evidence');

  await page.getByRole('link', { name: /e2e flow sweep/ }).click();
  await page.waitForURL(`**/sweeps/${encodeURIComponent(sweepId)}`);
  await page.locator(`[data-point-key="retrain:${retrainId}"]`).waitFor();
  await page.locator(`[data-point-key="retrain:${retrainId}"]`).hover();
  await page.getByTestId('point-details').getByText('Retrained structure').waitFor();
  assert.equal(await page.locator('[data-testid="evidence-arms"] [data-arm]').count(), 2, 'both evidence arms are drawn on the front');
  // ... and listed below it with their numbers and verdict, naming the run they compare.
  const listed = page.getByTestId('sweep-evidence');
  assert.deepEqual(await listed.locator('[data-testid="evidence-arms-table"] tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-arm'))), ['structure', 'uniform']);
  assert.match(await listed.innerText(), /95 % CI \[/);
  assert.equal(await listed.locator('a[href^="/runs/"]').count(), 1);
  await browser.screenshot('sweep-with-retrain');

  assert.deepEqual(browser.problems, []);
});
