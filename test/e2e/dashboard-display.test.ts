import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createApiToken } from '../../src/db/repositories/tokens.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { testTemporal } from '../support/temporal.ts';
import { startWebApp, type RunningWebApp } from '../support/web-app.ts';
import { openDashboardBrowser, type DashboardBrowser } from './browser.ts';
import { DOMINATED_GRID } from '../../web/components/dominated-sample.ts';
import { DISPLAY_ENGINE, SEED_ACCURACY, SEED_COST, SEED_WIDTHS, seedFailedSweep, seedFinishedRetrain, seedFinishedSweep, seedLargeSweep, type SeededRun, type SeededSweep } from './display-fixtures.ts';

/**
 * The dashboard's display, against the real built app and Postgres, with finished sweeps written
 * straight into the store (this file is about what the pages show; dashboard-flow makes its data
 * through real sweeps). The app requires tokens here, so the browser signs in like a user would.
 */

let database: TestDatabase;
let app: RunningWebApp;
let browser: DashboardBrowser;
let sweepA: SeededSweep;
let sweepB: SeededSweep;
let retrainedRun: SeededRun;
let largeRuns: Array<{ id: string; costFlops: number; valAccuracy: number }>;
const LARGE_SWEEP_ID = 'sweep-display-large';

/** Brute force, independent of src/sweep: a point is dominated when another is no worse on both and better on one. */
function dominatedIds(runs: SeededRun[]): Set<string> {
  return new Set(
    runs
      .filter((run) =>
        runs.some(
          (other) =>
            other !== run &&
            other.costFlops <= run.costFlops &&
            other.valAccuracy >= run.valAccuracy &&
            (other.costFlops < run.costFlops || other.valAccuracy > run.valAccuracy),
        ),
      )
      .map((run) => run.id),
  );
}

before(async () => {
  database = await createTestDatabase();
  sweepA = await seedFinishedSweep(database.prisma, {
    id: 'sweep-display-a',
    name: 'display gamma flops',
    strengths: [1e-9, 3e-9, 1e-8, 3e-8, 1e-7, 3e-7],
    thresholds: [0.001, 0.01],
    accuracyOffset: 0,
  });
  sweepB = await seedFinishedSweep(database.prisma, {
    id: 'sweep-display-b',
    name: 'display overlay',
    strengths: [1e-8, 1e-7, 1e-6],
    thresholds: [0.01],
    accuracyOffset: -0.05,
  });
  retrainedRun = sweepA.runs[2];
  await seedFinishedRetrain(database.prisma, retrainedRun, 'retrain-display-1');
  await seedFailedSweep(database.prisma, 'sweep-display-failed', 'display failed');
  largeRuns = await seedLargeSweep(database.prisma, { id: LARGE_SWEEP_ID, name: 'display large', runCount: 2500 });
  const temporal = testTemporal();
  app = await startWebApp({
    databaseUrl: database.url,
    env: { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: temporal.namespace },
  });
  browser = await openDashboardBrowser({ baseUrl: app.url, artifactPrefix: 'display' });
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await database?.drop();
});

test('a browser without a session is asked for a token, and a valid token opens the dashboard', async () => {
  const { page } = browser;
  await page.goto('/');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('API token').fill('not-a-real-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'unknown or revoked' }).waitFor();
  // The refused sign-in is a 401 that Chromium logs itself; it is the expected answer, not a defect.
  const refused = browser.problems.splice(0).filter((problem) => !/status of 401/.test(problem));
  assert.deepEqual(refused, []);

  const { secret } = await createApiToken(database.prisma, 'e2e-display');
  await page.getByLabel('API token').fill(secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Sweeps' }).waitFor();
  const cookies = await browser.context.cookies();
  const session = cookies.find((cookie) => cookie.name === 'morphsweep_token');
  assert.ok(session?.httpOnly, 'the session cookie must be http-only so page scripts cannot read the token');
});

test('the sweeps list shows status, progress and best point of each sweep', async () => {
  const { page } = browser;
  await page.goto('/');
  const rowA = page.locator(`tr[data-sweep-id="${sweepA.id}"]`);
  await rowA.waitFor();
  assert.match(await rowA.innerText(), /completed/);
  assert.match(await rowA.innerText(), /12\/12/);
  const bestA = Math.max(...sweepA.runs.map((run) => run.valAccuracy));
  assert.match(await rowA.innerText(), new RegExp(`${(bestA * 100).toFixed(1)}% at 4 MFLOPs`));
  const failedRow = page.locator('tr[data-sweep-id="sweep-display-failed"]');
  assert.match(await failedRow.innerText(), /failed/);
  await browser.screenshot('sweeps-list');
});

test('the sweep page draws every point, the seed and the retrain, with the front as a step line', async () => {
  const { page } = browser;
  await page.goto(`/sweeps/${sweepA.id}`);
  const markers = page.locator('[data-testid="pareto-chart"] .front-marker');
  await page.locator('[data-point-key^="seed:"]').waitFor();
  assert.equal(await page.locator('[data-point-key^="run:"]').count(), sweepA.runs.length);
  assert.equal(await page.locator('[data-point-key^="retrain:"]').count(), 1);
  assert.equal(await markers.count(), sweepA.runs.length + 2);
  // The front line: one step path through the non-dominated points.
  const frontPath = page.locator('.front-step-line path').first();
  assert.ok((await frontPath.getAttribute('d'))?.includes('L'), 'the Pareto front must be drawn as a line');

  // The front is taken over everything one could ship: runs, the retrain and the seed network.
  const retrain = { id: 'retrain-display-1', costFlops: Math.round(retrainedRun.costFlops * 1.25 ** 2), valAccuracy: Math.min(0.99, retrainedRun.valAccuracy + 0.03) };
  const seed = { id: `seed-${sweepA.id}`, costFlops: SEED_COST.flops, valAccuracy: SEED_ACCURACY };
  const everything = [...sweepA.runs, { ...retrain, strength: 0, threshold: 0, aliveFraction: 0 }, { ...seed, strength: 0, threshold: 0, aliveFraction: 0 }];
  const expectedDominated = dominatedIds(everything);
  const rows = page.locator('[data-testid="front-table"] tbody tr');
  assert.equal(await rows.count(), sweepA.runs.length + 2);
  const keyOf = (id: string) => (id === retrain.id ? `retrain:${id}` : id === seed.id ? `seed:${sweepA.id}` : `run:${id}`);
  for (const point of everything) {
    const text = await page.locator(`[data-testid="front-table"] tr[data-row-key="${keyOf(point.id)}"]`).innerText();
    assert.match(text, expectedDominated.has(point.id) ? /dominated/ : /front/, `point ${point.id}`);
    const marker = page.locator(`[data-testid="pareto-chart"] [data-point-key="${keyOf(point.id)}"]`);
    assert.equal(await marker.getAttribute('data-on-front'), expectedDominated.has(point.id) ? 'false' : 'true', `marker ${point.id}`);
  }
  // Retrained and seed points are marked apart from structure-learning points.
  assert.match(await page.locator(`tr[data-row-key="retrain:${retrain.id}"]`).innerText(), /retrained, width ×1\.25/);
  assert.match(await page.locator(`tr[data-row-key="seed:${sweepA.id}"]`).innerText(), /seed network[\s\S]*unpruned/);
  await browser.screenshot('sweep-front');
});

test('hovering a point shows strength, threshold, cost, accuracy and widths', async () => {
  const { page } = browser;
  const run = sweepA.runs[3];
  await page.locator(`[data-point-key="run:${run.id}"]`).hover();
  const details = page.getByTestId('point-details');
  await details.getByText(run.id).waitFor();
  const text = await details.innerText();
  assert.match(text, new RegExp(run.strength.toExponential(2).replace('+', '\\+')));
  assert.match(text, new RegExp(`Threshold\\s+${run.threshold}`));
  assert.match(text, new RegExp(`${(run.valAccuracy * 100).toFixed(1)}%`));
  assert.match(text, /FLOPs/);
  const alive = Object.values(SEED_WIDTHS).reduce((sum, width) => sum + Math.max(1, Math.round(width * run.aliveFraction)), 0) + 3;
  const seed = Object.values(SEED_WIDTHS).reduce((sum, width) => sum + width, 0) + 3;
  await details.getByText(`${alive} / ${seed} channels`).waitFor();
  await browser.screenshot('sweep-hover');
});

test('the cost axis switches between FLOPs, model size and latency', async () => {
  const { page } = browser;
  const hasTick = (pattern: RegExp) =>
    page.waitForFunction(
      (source) => [...document.querySelectorAll('[data-testid="pareto-chart"] svg text')].some((t) => new RegExp(source).test(t.textContent ?? '')),
      pattern.source,
    );
  // Ticks are numbers with SI prefixes; the unit is in the axis title.
  await hasTick(/^FLOPs$/);
  await hasTick(/^\d+(\.\d+)?M$/);
  await page.getByText('Model size (weights)').click();
  await hasTick(/^Model size \(weights\)$/);
  await hasTick(/^\d+(\.\d+)?k$/);
  await page.getByText('Latency', { exact: true }).click();
  await hasTick(/^\d+(\.\d+)? (µs|ms|ns)$/);
  await browser.screenshot('sweep-latency-axis');
  await page.getByText('FLOPs', { exact: true }).click();
  await hasTick(/^\d+(\.\d+)?M$/);
});

test('the points table sorts by a column, and sorts back the other way', async () => {
  const { page } = browser;
  const accuracyHeader = page.getByRole('button', { name: /^Accuracy/ });
  await accuracyHeader.click();
  const firstKey = () => page.locator('[data-testid="front-table"] tbody tr').first().getAttribute('data-row-key');
  const sortedByAccuracy = [...sweepA.runs].sort((a, b) => a.valAccuracy - b.valAccuracy);
  assert.equal(await firstKey(), `run:${sortedByAccuracy[0].id}`);
  await accuracyHeader.click();
  // The most accurate point is the unpruned seed network (90%), above every run and the retrain.
  assert.equal(await firstKey(), `seed:${sweepA.id}`);
  assert.equal(await page.locator('th[aria-sort="descending"]').count(), 1);
});

test('another sweep can be overlaid on the same front', async () => {
  const { page } = browser;
  await page.getByRole('checkbox', { name: sweepB.name }).check();
  await page.waitForURL(new RegExp(`overlay=${sweepB.id}`));
  await page.waitForFunction(
    (expected) => document.querySelectorAll('[data-point-key^="run:"]').length === expected,
    sweepA.runs.length + sweepB.runs.length,
  );
  assert.equal(await page.locator('g.front-step-line').count(), 2);
  assert.equal(await page.locator('[data-point-key^="seed:"]').count(), 2);
  await browser.screenshot('sweep-overlay');
  await page.getByRole('checkbox', { name: sweepB.name }).uncheck();
});

test('keyboard: Tab reaches the chart, arrows walk its points, Enter opens the run page', async () => {
  const { page } = browser;
  await page.goto(`/sweeps/${sweepA.id}`);
  await page.locator('[data-point-key^="run:"]').first().waitFor();
  let focusedTestId: string | null = null;
  for (let presses = 0; presses < 30 && focusedTestId !== 'pareto-chart'; presses += 1) {
    await page.keyboard.press('Tab');
    focusedTestId = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);
  }
  assert.equal(focusedTestId, 'pareto-chart', 'the chart must be reachable with Tab');
  const cheapest = [...sweepA.runs].sort((a, b) => a.costFlops - b.costFlops);
  // Focus activates the cheapest point; one arrow step moves to the next cheapest.
  await page.locator(`.front-marker.active[data-point-key="run:${cheapest[0].id}"]`).waitFor();
  await page.keyboard.press('ArrowRight');
  await page.locator(`.front-marker.active[data-point-key="run:${cheapest[1].id}"]`).waitFor();
  assert.match(await page.getByTestId('point-details').innerText(), new RegExp(cheapest[1].id), 'the keyboard shows the same details as hover');
  await page.keyboard.press('Enter');
  await page.waitForURL(`**/runs/${encodeURIComponent(cheapest[1].id)}`);
});

test('a click on a point opens its run page', async () => {
  const { page } = browser;
  await page.goto(`/sweeps/${sweepA.id}`);
  // A point mid-chart, clear of the seed ring and the retrain star.
  const midCost = [...sweepA.runs].sort((a, b) => a.costFlops - b.costFlops)[5];
  await page.locator(`[data-point-key="run:${midCost.id}"]`).click();
  await page.waitForURL(`**/runs/${encodeURIComponent(midCost.id)}`);
});

test('the run page shows curves, widths against the seed, the structure download and retrains', async () => {
  const { page } = browser;
  await page.goto(`/runs/${retrainedRun.id}`);
  for (const curve of ['taskLoss', 'regLoss', 'cost', 'valAccuracy']) {
    await page.locator(`[data-testid="curve-${curve}"] .recharts-line path.recharts-curve`).waitFor();
  }
  // Accuracy is read against 100%: the axis ends there and never leaves 0..100% (samples 58%, 74%).
  const accuracyTicks = await page.locator('[data-testid="curve-valAccuracy"] .recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value').allTextContents();
  assert.deepEqual(accuracyTicks, ['50%', '60%', '70%', '80%', '90%', '100%']);
  const widthsTable = page.getByRole('table', { name: 'Channels per layer' });
  for (const [layer, seedWidth] of Object.entries(SEED_WIDTHS)) {
    const alive = Math.max(1, Math.round(seedWidth * retrainedRun.aliveFraction));
    assert.match(await widthsTable.locator('tr', { hasText: layer }).innerText(), new RegExp(`${layer}\\s+${alive}\\s+${seedWidth}`));
  }
  assert.ok((await page.locator('[data-testid="layer-widths"] .recharts-bar-rectangle').count()) >= 2 * Object.keys(SEED_WIDTHS).length);

  assert.equal(await page.getByTestId('run-engine').innerText(), DISPLAY_ENGINE);

  const retrainRow = page.locator('tr[data-retrain-id="retrain-display-1"]');
  assert.match(await retrainRow.innerText(), /width ×1\.25[\s\S]*completed/);

  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'MorphNet format' }).click();
  const file = await (await download).path();
  const { readFile } = await import('node:fs/promises');
  const morphnet = JSON.parse(await readFile(file, 'utf8')) as Record<string, number>;
  assert.equal(morphnet.conv1, Math.max(1, Math.round(SEED_WIDTHS.conv1 * retrainedRun.aliveFraction)));
  await browser.screenshot('run-page');
});

test('the new-sweep form checks input with the API\'s own validation and marks each bad field', async () => {
  const { page } = browser;
  await page.goto('/sweeps/new');
  await page.getByLabel('Alive thresholds').fill('0.01, 0.01');
  await page.getByLabel('Batch size').fill('0');
  await page.getByLabel('Explicit list').check();
  await page.getByLabel('Strengths', { exact: true }).fill('1e-9, 1e-9');
  await page.getByRole('button', { name: 'Start sweep' }).click();
  const errorOf = (field: string) => page.locator(`[data-field-error="${field}"]`).innerText();
  // Field errors and cross-field errors are listed together, as the API lists them.
  assert.match(await errorOf('name'), /.+/);
  assert.match(await errorOf('thresholds'), /distinct/);
  assert.match(await errorOf('strengthValues'), /distinct/);
  assert.match(await errorOf('batchSize'), /.+/);
  assert.equal(await page.locator('[aria-invalid="true"]').count(), 4);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'field-name', 'focus moves to the first bad field');
  await browser.screenshot('new-sweep-errors');
  assert.match(page.url(), /\/sweeps\/new$/, 'an invalid form must not leave the page');
});

test('thousands of points: the front drawn whole, the dominated cloud one point per occupied grid cell, the table in pages', async () => {
  const { page } = browser;
  await page.goto(`/sweeps/${LARGE_SWEEP_ID}`);
  await page.locator('[data-point-key^="seed:"]').waitFor();
  const drawnIds = new Set(
    (await page.locator('[data-point-key^="run:"]').evaluateAll((markers) => markers.map((m) => m.getAttribute('data-point-key')!))).map((key) =>
      key.replace(/^run:/, ''),
    ),
  );
  const byCost = largeRuns.map((run) => ({ ...run, costFlops: run.costFlops }));
  const dominated = dominatedIds(byCost.map((run) => ({ ...run, strength: 0, threshold: 0, aliveFraction: 0 })));
  const front = largeRuns.filter((run) => !dominated.has(run.id));
  for (const run of front) assert.ok(drawnIds.has(run.id), `front run ${run.id} must be drawn`);

  // Independently of the chart code: the occupied cells of the grid over the dominated cloud (log
  // cost, the default axis), each of which must show exactly one of its own points.
  const dominatedRuns = largeRuns.filter((run) => dominated.has(run.id));
  const logCosts = dominatedRuns.map((run) => Math.log10(run.costFlops));
  const accuracies = dominatedRuns.map((run) => run.valAccuracy);
  const cellOf = (value: number, values: number[], cells: number) => {
    const low = Math.min(...values);
    const span = Math.max(...values) - low;
    return Math.min(cells - 1, Math.floor(((value - low) / span) * cells));
  };
  const cellKey = (run: { costFlops: number; valAccuracy: number }) =>
    `${cellOf(Math.log10(run.costFlops), logCosts, DOMINATED_GRID.columns)},${cellOf(run.valAccuracy, accuracies, DOMINATED_GRID.rows)}`;
  const occupied = new Set(dominatedRuns.map(cellKey));
  const drawnDominated = dominatedRuns.filter((run) => drawnIds.has(run.id));
  assert.equal(drawnIds.size, front.length + drawnDominated.length, 'only runs of this sweep are drawn');
  assert.ok(drawnDominated.length < dominatedRuns.length, 'the cloud is thinned out');
  assert.deepEqual(new Set(drawnDominated.map(cellKey)), occupied, 'every occupied cell shows a point');
  assert.equal(drawnDominated.length, occupied.size, 'one point per cell');

  const note = await page.getByTestId('chart-sampling-note').innerText();
  assert.match(note, new RegExp(`Drawing ${drawnDominated.length.toLocaleString('en')} of ${dominatedRuns.length.toLocaleString('en')} dominated points`));

  // A drawn dominated point keeps its own hover details (one that no other marker covers).
  const shownId = await page.evaluate((ids) => {
    for (const id of ids) {
      const marker = document.querySelector(`[data-point-key="run:${id}"]`);
      const box = marker?.getBoundingClientRect();
      const top = box && document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
      if (marker && top && marker.contains(top)) return id;
    }
    return null;
  }, drawnDominated.map((run) => run.id));
  assert.ok(shownId, 'some drawn dominated point is not covered by another marker');
  await page.locator(`[data-point-key="run:${shownId}"]`).hover();
  await page.getByTestId('point-details').getByText(shownId).waitFor();
  assert.match(await page.getByTestId('point-details').innerText(), /dominated/);

  // Every point stays reachable in the table, a page at a time (the runs and the seed network).
  const rows = page.locator('[data-testid="front-table"] tbody tr');
  assert.equal(await rows.count(), 100);
  const pager = page.getByTestId('front-table-pager');
  assert.match(await pager.innerText(), /Rows 1–100 of 2,501/);
  const cheapestFirst = [...largeRuns].sort((a, b) => a.costFlops - b.costFlops);
  assert.equal(await rows.first().getAttribute('data-run-id'), cheapestFirst[0].id);
  await pager.getByRole('button', { name: 'Next 100' }).click();
  await page.getByText('Rows 101–200 of 2,501').waitFor();
  assert.equal(await rows.first().getAttribute('data-run-id'), cheapestFirst[100].id);
  await browser.screenshot('sweep-large');
});

test('no console errors, page errors or requests to other origins on any page', () => {
  assert.deepEqual(browser.problems, []);
});
