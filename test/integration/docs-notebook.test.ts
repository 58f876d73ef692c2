import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createApiToken } from '../../src/db/repositories/tokens.ts';
import { parseSweepConfig } from '../../src/sweep/config.ts';
import type { RunningWebApp } from '../support/web-app.ts';
import { startAppWithWorker, tinySweepConfig, type AppWithWorker } from './sweep-harness.ts';

/**
 * The three examples of docs/notebook.md (the Python client, plain HTTP from Python, the TypeScript
 * client), run as written against the built app, PostgreSQL, Temporal and a training worker. Only
 * their sweep config is swapped for a tiny one (the documented one, which is checked to be valid,
 * trains Fashion-MNIST for minutes) and the plain-HTTP poll interval shortened.
 */

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const PYTHON = `${repositoryRoot}.morphsweep/py-venv/bin/python`;
const TINY_CONFIG = tinySweepConfig({ name: 'notebook example', thresholds: [0.01], tags: ['notebook'] });

let app: RunningWebApp;
let services: AppWithWorker;
let token: string;
let notebook: string;

before(async () => {
  services = await startAppWithWorker('docs-notebook', { env: { MORPHSWEEP_SSE_POLL_MS: '200' } });
  app = services.app;
  token = (await createApiToken(services.database.prisma, 'notebook')).secret;
  notebook = await readFile(`${repositoryRoot}docs/notebook.md`, 'utf8');
});

after(async () => {
  await services?.stop();
});

/** The first `language` block of docs/notebook.md that contains `marker`. */
function codeBlock(language: string, marker = ''): string {
  const blocks = [...notebook.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((match) => match[1]!);
  const block = blocks.find((source) => source.includes(marker));
  assert.ok(block, `docs/notebook.md has no ${language} block with ${JSON.stringify(marker)}`);
  return block;
}

/** The Python config literal `config = {...}` of an example, checked valid once its comments go. */
function checkDocumentedPythonConfig(python: string): void {
  const documented = /config = (\{[\s\S]*?\n\})/.exec(python);
  assert.ok(documented, 'the Python example defines `config`');
  parseSweepConfig(JSON.parse(documented[1]!.replace(/#.*$/gm, '').replace(/,(\s*[}\]])/g, '$1')));
}

/** `source` with `pattern` replaced, failing when the docs changed so that it no longer occurs. */
function replaceOnce(source: string, pattern: RegExp, replacement: string): string {
  assert.match(source, pattern, `docs/notebook.md changed: ${pattern} not found`);
  return source.replace(pattern, replacement);
}

function run(command: string, args: string[], input?: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: repositoryRoot,
      env: { ...process.env, MORPHSWEEP_URL: app.url, MORPHSWEEP_TOKEN: token },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(input ?? '');
  });
}

test('the Python client example launches, waits on events, tabulates the front, retrains and cancels', { timeout: 300_000 }, async () => {
  let python = codeBlock('python', 'import morphsweep');
  checkDocumentedPythonConfig(python);
  python = replaceOnce(python, /^sweep = client\.create_sweep\(config\)/m, `config = ${JSON.stringify(TINY_CONFIG)}\n$&`);

  const { code, output } = await run(PYTHON, ['-'], python);
  assert.equal(code, 0, output);
  assert.match(output, /completed total=(\d+) pending=0 running=0 completed=\1 failed=0 cancelled=0\n/);
  // The seed network's accuracy is measured by the sweep (trained as the runs are).
  assert.match(output, /^SeedNetwork\(flops=[\d.e+]+, model_size=[\d.e+]+, latency_ns=[\d.e+]+, accuracy=[\d.]+, widths=\{'conv1': \d+/m);
  // pandas may elide middle columns on a narrow terminal.
  assert.match(output, /run_id\s+strength\s+.*accuracy\n0\s+sw-/);
  assert.match(output, /name\s+kind\s+alive\s+seed\s+fixed\n0\s+conv1\s+conv/);
  assert.match(output, /^completed flops=[\d.e+]+ model_size=[\d.e+]+ latency_ns=[\d.e+]+ [\d.]+ [\d.]+$/m);
  // The evidence run: its verdict line, the arms' frame and the comparison's.
  assert.match(output, /^structure - uniform test accuracy: [+-][\d.]+ \[[+-][\d.]+, [+-][\d.]+\] \(95% interval\): (structure|uniform|undecided)$/m);
  assert.match(output, /^0\s+structure\s+[\d.e+]+\s+1\.0+\s+[\d.]+\s+[\d.]+\n1\s+uniform\s/m);
  assert.match(output, /^0\s+structure\s+uniform\s+[-\d.e]+\s+[-\d.e]+\s+[-\d.e]+\s+(structure|uniform|undecided)$/m);
  assert.match(output, /^\['sw-[0-9a-f]+'/m);
  assert.match(output, /^already finished$/m);
});

test('the Python example (requests + pandas) launches, polls, tabulates the front and retrains', { timeout: 300_000 }, async () => {
  let python = codeBlock('python', 'import requests');
  // The documented config, as JSON once its comments and trailing commas go, is a valid sweep.
  checkDocumentedPythonConfig(python);
  python = replaceOnce(python, /^sweep_id = /m, `config = ${JSON.stringify(TINY_CONFIG)}\nsweep_id = `);
  python = python.replaceAll('time.sleep(10)', 'time.sleep(0.2)');

  const { code, output } = await run(PYTHON, ['-'], python);
  assert.equal(code, 0, output);
  // The front's table (pandas may elide middle columns on a narrow terminal), then the retrain's line.
  assert.match(output, /runId\s+strength\s+.*cost\s+accuracy\n0\s+sw-/);
  assert.match(output, /^completed \{'flops': [\d.e+]+, 'modelSize': [\d.e+]+, 'latencyNs': [\d.e+]+\} [\d.]+ [\d.]+$/m);
});

test('the TypeScript example (src/client) launches, streams events, reads the front and retrains', { timeout: 300_000 }, async () => {
  let typescript = codeBlock('ts');
  const documented = /client\.createSweep\(\n  (\{[\s\S]*?\n  \}),\n  \{ idempotencyKey/.exec(typescript);
  assert.ok(documented, 'the TypeScript example passes a config literal to createSweep');
  parseSweepConfig(new Function(`return (${documented[1]});`)());
  typescript = typescript.replace(documented[1]!, JSON.stringify(TINY_CONFIG));
  const script = `${repositoryRoot}notebook-example.tmp.ts`;
  await writeFile(script, typescript);
  try {
    const { code, output } = await run(process.execPath, ['--import', 'tsx', script]);
    assert.equal(code, 0, output);
    assert.match(output, /completed \{ flops: [\d.e+]+, modelSize: [\d.e+]+, latencyNs: [\d.e+]+ \} [\d.]+/);
    assert.match(output, /already finished/);
  } finally {
    await rm(script, { force: true });
  }
});
