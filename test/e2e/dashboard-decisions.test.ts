import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { createApiToken } from '../../src/db/repositories/tokens.ts';
import { parseSweepConfig } from '../../src/sweep/config.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { testTemporal, uniqueTaskQueue } from '../support/temporal.ts';
import { startWebApp, type RunningWebApp } from '../support/web-app.ts';
import { openDashboardBrowser, type DashboardBrowser } from './browser.ts';
import { CLOSE_SWEEP, seedCloseSweep, seedFailedSweep } from './display-fixtures.ts';

/**
 * What the dashboard offers for the decision it exists for (which structure to ship), and the
 * visible defects a review found, each checked the way a user would notice it: by element geometry
 * (overflow, overlap, tick label boxes), by hovering every point, by reading the numbers.
 */

let database: TestDatabase;
let app: RunningWebApp;
let browser: DashboardBrowser;
let closeRuns: Array<{ id: string; threshold: number; costFlops: number; valAccuracy: number }>;
const RUNNING_SWEEP_ID = 'sweep-decisions-running';
const VIEWPORT_WIDTHS = [390, 768, 1400];

before(async () => {
  database = await createTestDatabase();
  closeRuns = await seedCloseSweep(database.prisma);
  await seedFailedSweep(database.prisma, 'sweep-decisions-failed', 'decisions failed');
  const runningConfig = parseSweepConfig({
    name: 'waiting for a worker',
    dataset: 'synthetic:classes=3,size=8,channels=1,train=256,test=64,seed=1',
    network: { name: 'reference-cnn' },
    regularizer: { algorithm: 'logistic-sigmoid', cost: 'flops' },
    thresholds: [0.1],
    strengths: { values: [1e-8] },
    training: { steps: 40 },
  });
  await database.prisma.sweep.create({
    data: { id: RUNNING_SWEEP_ID, name: 'waiting for a worker', status: 'queued', tags: [], config: runningConfig as object, costAxis: 'flops' },
  });
  const temporal = testTemporal();
  app = await startWebApp({
    databaseUrl: database.url,
    // A queue no worker polls: the dashboard must say so.
    env: { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: temporal.namespace, MORPHSWEEP_TASK_QUEUE: uniqueTaskQueue('decisions') },
  });
  browser = await openDashboardBrowser({ baseUrl: app.url, artifactPrefix: 'decisions' });
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await database?.drop();
});

const runKey = (threshold: number) => `run:${closeRuns.find((run) => run.threshold === threshold)!.id}`;
const RETRAIN_KEY = `retrain:${CLOSE_SWEEP.retrain.id}`;
const SEED_KEY = `seed:${CLOSE_SWEEP.id}`;

async function openCloseSweep(page: Page): Promise<void> {
  await page.goto(`/sweeps/${CLOSE_SWEEP.id}`);
  await page.locator(`[data-point-key="${SEED_KEY}"]`).waitFor();
  // The table below the chart renders after it; once it is there the chart's width is final.
  await page.getByTestId('front-table').locator('tbody tr').first().waitFor();
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const inside = (inner: Box, outer: Box, slackPx = 0.5) =>
  inner.x >= outer.x - slackPx && inner.y >= outer.y - slackPx && inner.x + inner.width <= outer.x + outer.width + slackPx && inner.y + inner.height <= outer.y + outer.height + slackPx;

test('sign-in: the token box has a visible label', async () => {
  const { page } = browser;
  await page.goto('/');
  const label = page.locator('label[for="api-token"]');
  await label.waitFor();
  const box = (await label.boundingBox())!;
  assert.ok(box.width > 20 && box.height > 8, `the label is visible (${JSON.stringify(box)})`);
  const { secret } = await createApiToken(database.prisma, 'e2e-decisions');
  await page.getByLabel('API token').fill(secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Sweeps' }).waitFor();
});

test('the front is taken over runs, retrains and the seed; the seed accuracy is the reference line', async () => {
  const { page } = browser;
  await openCloseSweep(page);
  const onFront = async (key: string) => page.locator(`[data-testid="pareto-chart"] [data-point-key="${key}"]`).getAttribute('data-on-front');
  // The retrain (7.45 MFLOPs, 69.0%) beats the run at 11.2 MFLOPs (68.0%), which the runs alone
  // kept on their front; the seed tops everything.
  assert.equal(await onFront(RETRAIN_KEY), 'true');
  assert.equal(await onFront(runKey(0.005)), 'false');
  for (const threshold of [0.02, 0.01, 0.002, 0.001]) assert.equal(await onFront(runKey(threshold)), 'true', `run at threshold ${threshold}`);
  assert.equal(await onFront(SEED_KEY), 'true');
  // The reference line runs across the plot at the seed's accuracy, through its ring.
  const line = page.locator('.seed-reference-line');
  const ring = (await page.locator(`[data-point-key="${SEED_KEY}"]`).boundingBox())!;
  const lineBox = (await line.boundingBox())!;
  assert.ok(Math.abs(lineBox.y + lineBox.height / 2 - (ring.y + ring.height / 2)) < 1.5, 'the line is at the seed accuracy');
  const plot = (await page.locator('.pareto-svg').boundingBox())!;
  assert.ok(lineBox.width > plot.width * 0.8, 'the line spans the plot');
  assert.match(await page.getByTestId('front-legend').innerText(), /seed network, 71\.2%/);
  assert.match(await page.locator('.facts').innerText(), /Seed accuracy\s+71\.2% \(unpruned, same recipe\)/);
  // Retrained points are in the table, marked apart, with the target they were retrained to.
  const retrainRow = page.locator(`tr[data-row-key="${RETRAIN_KEY}"]`);
  assert.match(await retrainRow.innerText(), /retrained, target 7\.5 MFLOPs, width ×1\.03[\s\S]*7\.45 MFLOPs[\s\S]*69\.0%[\s\S]*front/);
  assert.match(await page.locator(`tr[data-row-key="${runKey(0.01)}"]`).innerText(), /structure learning/);
  await browser.screenshot('close-front');
});

test('every drawn point can be hovered: the details show that point, also where markers crowd', async () => {
  const { page } = browser;
  await openCloseSweep(page);
  const keys = await page.locator('[data-testid="pareto-chart"] .front-marker').evaluateAll((markers) => markers.map((m) => m.getAttribute('data-point-key')!));
  assert.equal(keys.length, CLOSE_SWEEP.runs.length + 2);
  const details = page.getByTestId('point-details');
  for (const key of keys) {
    const marker = page.locator(`[data-point-key="${key}"]`);
    await marker.scrollIntoViewIfNeeded();
    const box = (await marker.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const expected = key.startsWith('seed:') ? 'Seed network' : key.startsWith('retrain:') ? 'Retrained structure' : key.slice('run:'.length);
    await details
      .getByText(expected, { exact: false })
      .first()
      .waitFor({ timeout: 2000 })
      .catch(async (error: Error) => {
        const state = await page.evaluate(() => ({
          active: document.querySelector('.front-marker.active')?.getAttribute('data-point-key'),
          details: document.querySelector('[data-testid="point-details"]')?.textContent,
        }));
        throw new Error(`${key} at (${box.x + box.width / 2}, ${box.y + box.height / 2}), box ${JSON.stringify(box)}: ${JSON.stringify(state)}: ${error.message}`);
      });
    assert.ok(await page.locator(`.front-marker.active[data-point-key="${key}"]`).count(), `${key} is highlighted when hovered`);
  }
  // The two runs 1% apart in cost are not drawn on one spot (the old axis ran three decades past the data).
  const a = (await page.locator(`[data-point-key="${runKey(0.001)}"]`).boundingBox())!;
  const b = (await page.locator(`[data-point-key="${runKey(0.002)}"]`).boundingBox())!;
  assert.ok(Math.hypot(a.x - b.x, a.y - b.y) > 3, `14.7 and 14.9 MFLOPs are apart on the chart (${Math.hypot(a.x - b.x, a.y - b.y).toFixed(1)} px)`);
});

test('axes fit the data and tick labels never touch: cost ticks by their boxes, no 100% on a 55-71% sweep', async () => {
  const { page } = browser;
  for (const log of [true, false]) {
    await openCloseSweep(page);
    if (!log) await page.getByLabel('log cost axis').uncheck();
    assert.equal(await page.getByLabel('log cost axis').isChecked(), log);
    await page.locator('.x-tick').first().waitFor();
    const svg = (await page.locator('.pareto-svg').boundingBox())!;
    for (const axis of ['.x-tick', '.y-tick']) {
      const boxes = await page.locator(axis).evaluateAll((ticks) => ticks.map((t) => ({ text: t.textContent, ...t.getBoundingClientRect().toJSON() })));
      assert.ok(boxes.length >= 2, `${axis}: at least two ticks (${log ? 'log' : 'linear'})`);
      for (const [index, box] of boxes.entries()) {
        assert.ok(inside(box, svg), `${axis} "${box.text}" lies inside the chart`);
        for (const other of boxes.slice(index + 1)) assert.ok(!overlaps(box, other), `${axis} "${box.text}" and "${other.text}" do not touch (${log ? 'log' : 'linear'})`);
      }
    }
    const yLabels = await page.locator('.y-tick').allTextContents();
    assert.ok(!yLabels.includes('100%'), `the accuracy axis ends near the data, not at 100% (${yLabels.join(', ')})`);
    // The points fill the cost axis: the cheapest and the dearest are near its two ends.
    const xs = await page.locator('.front-marker').evaluateAll((markers) => markers.map((m) => m.getBoundingClientRect().x + m.getBoundingClientRect().width / 2));
    assert.ok(Math.max(...xs) - Math.min(...xs) > svg.width * 0.7, `points span most of the cost axis (${log ? 'log' : 'linear'})`);
  }
});

test('a budget gets the most accurate point under it, with what it takes to ship', async () => {
  const { page } = browser;
  await openCloseSweep(page);
  const budget = page.getByLabel(/Budget/);
  const answer = page.getByTestId('budget-answer');
  await budget.fill('8M');
  await answer.getByText('Retrained structure of run').waitFor();
  assert.match(await answer.innerText(), /7\.45 MFLOPs \(93\.1% of the budget, 40\.2% of the seed network's\), 69\.0% validation accuracy \(−2\.2 pp against/);
  assert.match(await answer.innerText(), /nothing more to train/);
  await page.locator(`.front-marker.recommended[data-point-key="${RETRAIN_KEY}"]`).waitFor();
  await budget.fill('15 MFLOPs');
  await answer.getByText(/retrain it from scratch/).waitFor();
  assert.match(await answer.innerText(), /14\.9 MFLOPs[\s\S]*70\.0% validation accuracy[\s\S]*40 steps of batch 16/);
  await page.locator(`.front-marker.recommended[data-point-key="${runKey(0.001)}"]`).waitFor();
  await budget.fill('2e7');
  await answer.getByText('The unpruned seed network').waitFor();
  await budget.fill('100k');
  await answer.getByText('No point costs at most 100 kFLOPs; the cheapest costs 2.1 MFLOPs').waitFor();
  await budget.fill('cheap');
  await answer.getByRole('alert').waitFor();
  assert.equal(await page.locator('.front-marker.recommended').count(), 0);
  await browser.screenshot('budget');
});

test('two runs compare side by side: widths per layer, cost on every axis, curves', async () => {
  const { page } = browser;
  await openCloseSweep(page);
  const [first, second] = [closeRuns[0]!, closeRuns[3]!];
  await page.getByLabel(`Compare run ${first.id}`).check();
  await page.getByLabel(`Compare run ${second.id}`).check();
  await page.getByRole('link', { name: 'Compare 2 runs' }).click();
  await page.waitForURL(/\/compare\?runs=/);
  const costs = page.getByTestId('compare-costs');
  // The share of the seed appears once the seed's costs arrive (their own request).
  await costs.locator(`tr[data-run-id="${first.id}"]`, { hasText: 'of seed' }).waitFor();
  assert.match(await costs.locator(`tr[data-run-id="${first.id}"]`).innerText(), /14\.9 MFLOPs[\s\S]*80\.4% of seed[\s\S]*weights[\s\S]*(µs|ms)[\s\S]*70\.0%/);
  assert.match(await costs.locator('tr[data-run-id="seed"]').innerText(), /18\.5 MFLOPs[\s\S]*412k weights[\s\S]*186 µs[\s\S]*71\.2%/);
  const widths = page.getByTestId('compare-widths');
  const header = await widths.locator('thead').innerText();
  assert.ok(header.includes(first.id) && header.includes(second.id));
  const aliveOf = (run: { costFlops: number }) => Math.round(128 * Math.sqrt(run.costFlops / CLOSE_SWEEP.seedCost.flops));
  assert.match(await widths.locator('tr[data-layer="conv3"]').innerText(), new RegExp(`conv3\\s+128\\s+${aliveOf(first)}\\s+${aliveOf(second)}`));
  for (const title of ['Validation accuracy', 'Cost (FLOPs)', 'Task loss']) {
    assert.equal(await page.getByTestId(`compare-curve-${title}`).locator('.recharts-line').count(), 2, `${title}: one line per run`);
  }
  await page.waitForFunction(() => document.title.startsWith('Compare '));
  await browser.screenshot('compare');
});

test('numbers read the same everywhere: SI prefixes, percent without a space, 3-digit multipliers, units spelled out', async () => {
  const { page } = browser;
  const pages = ['/', `/sweeps/${CLOSE_SWEEP.id}`, `/runs/${encodeURIComponent(closeRuns[3]!.id)}`, `/compare?runs=${closeRuns[0]!.id},${closeRuns[1]!.id}`];
  for (const path of pages) {
    await page.goto(path);
    await page.locator('h1').first().waitFor();
    await page.waitForLoadState('networkidle');
    const text = await page.locator('main').innerText();
    assert.doesNotMatch(text, /\d %/, `${path}: percent written "69.0%"`);
    assert.doesNotMatch(text, /\d\.\d{4,}/, `${path}: no machine-length decimals`);
    assert.doesNotMatch(text, /[kMGT]weights|[kMGT]params/, `${path}: "weights" spelled out`);
    assert.doesNotMatch(text, /\b\d{5,}\b(?! [a-z]*steps)/, `${path}: large counts carry SI prefixes`);
  }
  // A run's retrains: a target-cost retrain reads as one, not as a bare multiplier.
  await page.goto(`/runs/${encodeURIComponent(closeRuns[3]!.id)}`);
  assert.match(await page.locator(`tr[data-retrain-id="${CLOSE_SWEEP.retrain.id}"]`).innerText(), /target 7\.5 MFLOPs, width ×1\.03/);
  // One strength: a single swatch and value, not a gradient from a strength to itself.
  await openCloseSweep(page);
  const legend = await page.getByTestId('front-legend').innerText();
  assert.equal(legend.match(/6\.71e-9/g)?.length, 1, legend);
  assert.equal(await page.locator('.strength-ramp').count(), 0);
});

test('layout at 390, 768 and 1400 px: nothing overflows the page, labels stay in their boxes, panels do not overprint', async () => {
  const { page } = browser;
  const paths = ['/', `/sweeps/${CLOSE_SWEEP.id}`, `/runs/${encodeURIComponent(closeRuns[1]!.id)}`, '/sweeps/new', `/compare?runs=${closeRuns[0]!.id},${closeRuns[1]!.id}`];
  try {
    for (const width of VIEWPORT_WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      for (const path of paths) {
        await page.goto(path);
        await page.locator('h1').first().waitFor();
        await page.waitForLoadState('networkidle');
        const overflow = await page.evaluate(() => {
          const limit = document.documentElement.clientWidth;
          // The innermost elements sticking out name the culprit.
          const wide = [...document.querySelectorAll('body *')].filter((element) => element.getBoundingClientRect().right > limit + 0.5 && !element.closest('.table-wrap, .table-scroll'));
          const innermost = wide.filter((element) => !wide.some((other) => other !== element && element.contains(other)));
          return { by: document.documentElement.scrollWidth - limit, culprits: innermost.slice(0, 3).map((element) => `${element.tagName.toLowerCase()}.${element.className}: ${element.textContent?.slice(0, 40)}`) };
        });
        assert.ok(overflow.by <= 0, `${path} at ${width}px: the page scrolls sideways by ${overflow.by}px (${overflow.culprits.join(' | ')})`);
        // Every heading and table cell's text stays inside its own box (a long sweep name wraps).
        const spilled = await page.evaluate(() =>
          [...document.querySelectorAll('main h1, main h2, main h3, .point-details dd, .legend-item, .facts dd')]
            .filter((element) => element.scrollWidth > element.clientWidth + 1)
            .map((element) => element.textContent),
        );
        assert.deepEqual(spilled, [], `${path} at ${width}px: text overflowing its box`);
        if (path.startsWith('/sweeps/sweep')) {
          const chart = (await page.locator('.pareto-svg').boundingBox())!;
          const panel = (await page.locator('.sweep-layout > .panel').boundingBox())!;
          assert.ok(inside(chart, panel, 1), `the chart fits its panel at ${width}px`);
          const details = (await page.getByTestId('point-details').boundingBox())!;
          assert.ok(!overlaps(chart, details), `chart and details panel do not overprint at ${width}px`);
          for (const text of await page.locator('.pareto-svg text').evaluateAll((texts) => texts.map((t) => t.getBoundingClientRect().toJSON()))) {
            assert.ok(inside(text, chart, 1), `chart text stays inside the chart at ${width}px`);
          }
        }
        await browser.screenshot(`layout-${width}-${path.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').slice(0, 32) || 'home'}`);
      }
    }
  } finally {
    await page.setViewportSize({ width: 1366, height: 768 });
  }
});

test('a failed sweep with no points says so instead of drawing an empty chart with a made-up axis', async () => {
  const { page } = browser;
  await page.goto('/sweeps/sweep-decisions-failed');
  await page.getByTestId('chart-empty').waitFor();
  assert.equal(await page.locator('.pareto-svg').count(), 0);
  await page.waitForFunction(() => document.title === 'decisions failed · sweep · MorphSweep');
});

test('tab titles name the sweep or the run; runs are labelled by strength, threshold and seed', async () => {
  const { page } = browser;
  await openCloseSweep(page);
  await page.waitForFunction((title) => document.title === title, `${CLOSE_SWEEP.name} · sweep · MorphSweep`);
  await page.goto(`/runs/${encodeURIComponent(closeRuns[0]!.id)}`);
  await page.locator('h1').waitFor();
  assert.match(await page.locator('h1').innerText(), /strength 6\.71e-9, threshold 0\.001, seed 0/);
  await page.waitForFunction(() => document.title.startsWith('Run strength 6.71e-9, threshold 0.001, seed 0 · '));
});

test('unknown addresses, sweeps and runs answer a real 404 with a way back', async () => {
  const { page } = browser;
  for (const path of ['/no/such/page', '/sweeps/no-such-sweep', '/runs/no-such-run']) {
    const response = await page.goto(path);
    assert.equal(response?.status(), 404, path);
    await page.getByTestId('not-found').waitFor();
    assert.ok(await page.getByRole('link', { name: 'See all sweeps' }).isVisible(), `${path} links back`);
    assert.equal(await page.getByRole('button', { name: 'Try again' }).count(), 0);
  }
});

test('queued work on a task queue no worker polls is flagged, from Temporal\'s own pollers list', async () => {
  const { page } = browser;
  await page.goto(`/sweeps/${RUNNING_SWEEP_ID}`);
  const warning = page.getByTestId('worker-warning');
  await warning.waitFor();
  assert.match(await warning.innerText(), /No worker is listening on test-decisions-\w+ \(sweep and retrain workflows\)/);
  // A finished sweep is not waiting for anyone.
  await openCloseSweep(page);
  await page.waitForLoadState('networkidle');
  assert.equal(await page.getByTestId('worker-warning').count(), 0);
});

test('the new-sweep form: FiGS by default, a preview of the grid and its compute, messages for people, the dataset checked first', async () => {
  const { page } = browser;
  await page.goto('/sweeps/new');
  assert.equal(await page.getByLabel('Algorithm').inputValue(), 'logistic-sigmoid');
  const preview = page.getByTestId('sweep-preview');
  assert.match(await preview.innerText(), /9 structure-learning runs \(9 strengths × 1 threshold × 1 seed\), plus 1 run/);
  assert.match(await preview.innerText(), /10 × 300 steps = 3,000 training steps \(192,000 examples\)/);
  await page.getByLabel('Alive thresholds').fill('0.1, 0.2');
  await preview.getByText(/18 structure-learning runs/).waitFor();
  await page.getByLabel('Batch size').fill('lots');
  await page.getByRole('button', { name: 'Start sweep' }).click();
  assert.equal(await page.locator('[data-field-error="name"]').innerText(), 'required: this cannot be empty');
  assert.match(await page.locator('[data-field-error="batchSize"]').innerText(), /^enter a (whole )?number$/);
  // A valid form whose dataset directory does not exist is refused before any sweep exists.
  await page.getByLabel('Name').fill('missing data');
  await page.getByLabel('Batch size').fill('16');
  await page.getByLabel('Dataset').fill('mnist-idx:/no/such/dir');
  const sweepsBefore = await database.prisma.sweep.count();
  await page.getByRole('button', { name: 'Start sweep' }).click();
  await page.locator('[data-field-error="dataset"]').getByText(/no directory \/no\/such\/dir/).waitFor();
  assert.equal(await database.prisma.sweep.count(), sweepsBefore);
  assert.match(page.url(), /\/sweeps\/new$/);
  await browser.screenshot('new-sweep-checked');
  // The 422 is the expected answer to a bad request, which Chromium logs itself.
  browser.problems.splice(0, browser.problems.length, ...browser.problems.filter((problem) => !/status of 422/.test(problem)));
});

test('the retrain form forgets a problem once its choice changes', async () => {
  const { page } = browser;
  await page.goto(`/runs/${encodeURIComponent(closeRuns[1]!.id)}`);
  await page.getByLabel('Width multiplier').check();
  await page.getByLabel(/Multiplier/).fill('wide');
  await page.getByRole('button', { name: 'Retrain' }).click();
  await page.getByRole('alert').filter({ hasText: 'Write the width multiplier as a positive number' }).waitFor();
  await page.getByLabel('Target cost').check();
  assert.equal(await page.getByRole('alert').filter({ hasText: 'width multiplier' }).count(), 0);
  assert.equal(await page.locator('[aria-invalid="true"]').count(), 0);
});

test('sign-out ends the session: the sign-in form comes back', async () => {
  const { page } = browser;
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.equal((await browser.context.cookies()).some((cookie) => cookie.name === 'morphsweep_token' && cookie.value !== ''), false);
});

test('no console errors, page errors or requests to other origins on any page', () => {
  const expected404s = (problem: string) => /status of 404/.test(problem);
  assert.deepEqual(browser.problems.filter((problem) => !expected404s(problem)), []);
});
