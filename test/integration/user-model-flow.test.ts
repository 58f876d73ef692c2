import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { createMorphSweepClient, MorphSweepApiError, type MorphSweepClient } from '../../src/client/index.ts';
import { createApiToken } from '../../src/db/repositories/tokens.ts';
import { buildSweepNetwork } from '../../activities/networks.ts';
import { loadDataset } from '../../src/data/index.ts';
import { parseSweepConfig, type SweepConfigInput } from '../../src/sweep/config.ts';
import { registerUserModel } from '../../src/temporal/user-models.ts';
import { runNumpy, TEST_PYTHON } from '../support/numpy.ts';
import { testTemporal } from '../support/temporal.ts';
import { buildVggBranchModel, saveAsModelJson, writeModelDirectory, type SavedModelFiles } from '../support/user-model-fixtures.ts';
import { startAppWithWorker, TINY_DATASET, type AppWithWorker } from './sweep-harness.ts';

/**
 * A network none of the seeds resembles (VGG-style stack, concat branch, hidden dense, softmax),
 * saved as model.json by TF.js, swept through the CLI and through the API on small data, a point
 * retrained and the retrained model downloaded and loaded back; bad models and bad npz files refused
 * with their problems before anything is written.
 */

const BIN_PATH = fileURLToPath(new URL('../../bin/morphsweep.mjs', import.meta.url));
let services: AppWithWorker;
let client: MorphSweepClient;
let token: string;
let workDir: string;
let vgg: SavedModelFiles;

before(async () => {
  services = await startAppWithWorker('user-model');
  token = (await createApiToken(services.database.prisma, 'user-model')).secret;
  client = createMorphSweepClient({ baseUrl: services.app.url, token });
  workDir = await mkdtemp(join(tmpdir(), 'morphsweep-user-model-'));
  const model = buildVggBranchModel();
  vgg = await saveAsModelJson(model);
  model.dispose();
});

after(async () => {
  await services?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

function morphsweep(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { address, namespace } = testTemporal();
  const env = { ...process.env, DATABASE_URL: services.database.url, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace, MORPHSWEEP_TASK_QUEUE: services.taskQueue };
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN_PATH, ...args], { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function sweepConfig(overrides: Partial<SweepConfigInput>): SweepConfigInput {
  return {
    name: 'user model',
    dataset: TINY_DATASET,
    validationFraction: 0.25,
    network: { name: 'reference-cnn' },
    regularizer: { algorithm: 'logistic-sigmoid', cost: 'flops' },
    thresholds: [0.1],
    strengths: { values: [1e-6, 1e-4] },
    training: { steps: 8, batchSize: 16, learningRate: 0.05, evalEvery: 4, checkpointEvery: 4 },
    concurrency: 2,
    ...overrides,
  };
}

/** 3 learnable classes on 8x8 images: a bright 4x4 block in the top-left, top-right or bottom-left corner. */
function writeBlocksNpz(path: string, extra = ''): void {
  runNumpy(`
rng = np.random.default_rng(0)
def split(n):
    y = np.arange(n) % 3
    x = rng.integers(0, 60, size=(n, 8, 8, 1))
    for i, k in enumerate(y):
        r, c = [(0, 0), (0, 4), (4, 0)][k]
        x[i, r:r+4, c:c+4, 0] += 150
    return x.astype(np.uint8), y.astype(np.int64)
x_train, y_train = split(96)
x_test, y_test = split(48)
${extra}
np.savez_compressed(${JSON.stringify(path)}, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
`);
}

async function rowCounts(): Promise<{ models: number; sweeps: number }> {
  const prisma = services.database.prisma;
  return { models: await prisma.userModel.count(), sweeps: await prisma.sweep.count() };
}

/** Loads the retrained model the way a user does, over HTTP with the token, and checks what it computes. */
async function loadRetrainedOverHttp(retrainId: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(client.retrainedModelUrl(retrainId), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
    fetchFunc: fetch,
  });
}

test('CLI: a config naming ./vgg/model.json sweeps it, the front is read, a point retrained and exported, and the export loads back', async () => {
  await writeModelDirectory(join(workDir, 'vgg'), vgg);
  const configPath = join(workDir, 'cli-sweep.json');
  await writeFile(configPath, JSON.stringify(sweepConfig({ name: 'cli user model', network: { model: './vgg/model.json' } as never })));
  const created = await morphsweep('sweep', 'create', '--config', configPath, '--wait', '--json');
  assert.equal(created.code, 0, created.stderr);
  const modelId = /stored as (sha256:[0-9a-f]{64})/.exec(created.stderr)?.[1];
  assert.ok(modelId, created.stderr);
  const result = JSON.parse(created.stdout) as { sweepId: string; status: string };
  assert.equal(result.status, 'completed');

  const sweep = await services.database.prisma.sweep.findUniqueOrThrow({ where: { id: result.sweepId } });
  assert.equal(sweep.userModelId, modelId, 'the sweep records which model it swept');
  const stored = await services.database.prisma.userModel.findUniqueOrThrow({ where: { id: modelId } });
  assert.equal(stored.weights?.length, vgg.weightData.length, 'the weights are stored with the topology');

  const front = await morphsweep('front', result.sweepId, '--json');
  assert.equal(front.code, 0, front.stderr);
  const points = JSON.parse(front.stdout) as { front: { runId: string }[] };
  assert.ok(points.front.length >= 1);
  const runs = await services.database.prisma.run.findMany({ where: { sweepId: result.sweepId } });
  for (const run of runs) {
    const layers = (run.structure as { layers: { name: string }[] }).layers.map((l) => l.name);
    assert.deepEqual(layers, ['vgg1_conv1', 'vgg1_conv2', 'branch_3x3', 'branch_1x1', 'hidden', 'classes']);
  }

  const outDir = join(workDir, 'retrained-cli');
  const retrained = await morphsweep('retrain', points.front[0]!.runId, '--out', outDir, '--json');
  assert.equal(retrained.code, 0, retrained.stderr);
  const modelJson = JSON.parse(await readFile(join(outDir, 'model.json'), 'utf8'));
  const weights = await readFile(join(outDir, 'weights.bin'));
  const reloaded = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData: new Uint8Array(weights).buffer }),
  );
  const probabilities = tf.tidy(() => (reloaded.predict(tf.ones([2, 8, 8, 1])) as tf.Tensor).sum(1).arraySync() as number[]);
  for (const sum of probabilities) assert.ok(Math.abs(sum - 1) < 1e-5, 'the softmax output of the user model is back');
  reloaded.dispose();
});

test('API: upload the topology alone, sweep it on an npz, read the front, retrain, download over HTTP and load it back', async () => {
  const npzPath = join(workDir, 'blocks.npz');
  writeBlocksNpz(npzPath);
  const { weightsManifest: _weights, ...topologyOnly } = vgg.modelJson;
  const uploaded = await client.uploadModel(topologyOnly);
  assert.equal(uploaded.created, true);
  assert.equal(uploaded.summary.hasWeights, false);
  assert.deepEqual(uploaded.summary.prunableLayers, ['vgg1_conv1', 'vgg1_conv2', 'branch_3x3', 'branch_1x1', 'hidden']);
  const again = await client.uploadModel(topologyOnly);
  assert.deepEqual([again.modelId, again.created], [uploaded.modelId, false], 'stored once, by content');
  assert.equal((await client.getModel(uploaded.modelId)).summary.name, 'vgg_branch');

  const { sweepId, warnings } = await client.createSweep(
    sweepConfig({ name: 'api user model', dataset: `npz:${npzPath}`, network: { model: uploaded.modelId }, regularizer: { algorithm: 'gamma', cost: 'flops' }, thresholds: [0.01] }),
  );
  assert.deepEqual(
    warnings?.map((w) => w.split(':')[0]),
    ['layer "vgg1_conv2" (Conv2D)', 'layer "hidden" (Dense)'],
    'gamma says which layers have no batch norm',
  );
  const finished = await client.waitForSweep(sweepId, { timeoutMs: 180_000 });
  assert.equal(finished.status, 'completed');
  const front = await client.getFront(sweepId, { cost: 'flops' });
  assert.ok(front.pareto.length >= 1);
  assert.ok(front.seedNetwork && front.seedNetwork.cost > 0);

  const chosen = front.pareto[0]!;
  const { retrainId } = await client.retrain(chosen.runId);
  const deadline = Date.now() + 120_000;
  let retrain = await client.getRetrain(retrainId);
  while (retrain.status !== 'completed' && Date.now() < deadline) {
    assert.ok(retrain.status === 'pending' || retrain.status === 'running', JSON.stringify(retrain));
    await new Promise((resolve) => setTimeout(resolve, 250));
    retrain = await client.getRetrain(retrainId);
  }
  assert.equal(retrain.status, 'completed');

  const structure = (await client.getStructure(chosen.runId)) as { layers: { name: string; alive: number }[] };
  const model = await loadRetrainedOverHttp(retrainId);
  try {
    for (const layer of structure.layers) {
      if (layer.alive === 0) continue;
      const width = (model.getLayer(layer.name).outputShape as number[]).at(-1);
      assert.equal(width, layer.alive, `${layer.name} rebuilt at its learned width`);
    }
    const sums = tf.tidy(() => (model.predict(tf.zeros([3, 8, 8, 1])) as tf.Tensor).sum(1).arraySync() as number[]);
    for (const sum of sums) assert.ok(Math.abs(sum - 1) < 1e-5);
  } finally {
    model.dispose();
  }
  const files = await client.downloadRetrainedModel(retrainId);
  const manifest = (files.modelJson.weightsManifest as { paths: string[]; weights: { shape: number[] }[] }[])[0]!;
  assert.deepEqual(manifest.paths, ['weights.bin']);
  const floats = manifest.weights.reduce((total, spec) => total + spec.shape.reduce((n, d) => n * d, 1), 0);
  assert.equal(files.weights.byteLength, floats * 4);
});

test('bad models and bad npz files: every problem at once, with the layer and what to do, and nothing written', async () => {
  const before = await rowCounts();
  const topology = structuredClone(vgg.modelJson.modelTopology) as { config: { layers: Record<string, unknown>[] } };
  const layers = topology.config.layers;
  const hidden = layers.findIndex((l) => l.name === 'hidden');
  layers[hidden] = { ...layers[hidden], class_name: 'Lambda', config: { name: 'hidden', function: 'lambda x: x' } };
  const flatten = layers.findIndex((l) => l.name === 'flatten');
  layers[flatten] = { ...layers[flatten], class_name: 'MyFlatten' };
  const refused = await client.uploadModel({ modelTopology: topology }).then(
    () => assert.fail('a Lambda layer was accepted'),
    (error: unknown) => error as MorphSweepApiError,
  );
  assert.equal(refused.status, 422);
  assert.equal(refused.code, 'invalid_model');
  const problems = (refused.details as { problems: { layer: string; className: string; message: string }[] }).problems;
  assert.deepEqual(problems.map((p) => [p.layer, p.className]), [['flatten', 'MyFlatten'], ['hidden', 'Lambda']]);
  assert.match(problems[0]!.message, /custom class MyFlatten is not registered.*supported layers: /);

  // The CLI refuses the same model from a file with the same problems, exit code 2.
  const badDir = join(workDir, 'bad');
  await writeModelDirectory(badDir, { modelJson: { modelTopology: topology }, weightData: new Uint8Array() }, { withWeights: false });
  const configPath = join(workDir, 'bad-sweep.json');
  await writeFile(configPath, JSON.stringify(sweepConfig({ network: { model: './bad/model.json' } as never })));
  const cli = await morphsweep('sweep', 'create', '--config', configPath);
  assert.equal(cli.code, 2, cli.stderr);
  assert.match(cli.stderr, /network\.model: layer "flatten" \(MyFlatten\): custom class MyFlatten.*network\.model: layer "hidden" \(Lambda\): a Lambda layer/);

  assert.deepEqual(await rowCounts(), before, 'the refused model was stored nowhere');

  // A good model on data it does not fit, and an npz with missing and mistyped arrays.
  const { modelId } = await client.uploadModel(vgg.modelJson, vgg.weightData);
  const afterGoodUpload = await rowCounts();
  const wideNpz = join(workDir, 'wide.npz');
  writeBlocksNpz(wideNpz, 'x_train = np.zeros((96, 10, 10, 1), np.uint8); x_test = np.zeros((48, 10, 10, 1), np.uint8); y_train = y_train % 2; y_test = y_test % 2');
  const mismatch = await client.createSweep(sweepConfig({ dataset: `npz:${wideNpz}`, network: { model: modelId } })).then(
    () => assert.fail('a model that does not fit its data was swept'),
    (error: unknown) => error as MorphSweepApiError,
  );
  assert.equal(mismatch.status, 422);
  const mismatchProblems = (mismatch.details as { problems: { path: string; message: string }[] }).problems;
  assert.deepEqual(mismatchProblems.map((p) => p.path), ['network.model', 'network.model']);
  assert.match(mismatchProblems[0]!.message, /layer "image" \(InputLayer\): the model takes inputs of shape \[8, 8, 1\] but the dataset's images are \[10, 10, 1\]/);
  assert.match(mismatchProblems[1]!.message, /layer "classes" \(Dense\): the output has 3 units but the dataset has 2 classes; give the last layer 2 units/);

  const brokenNpz = join(workDir, 'broken.npz');
  runNumpy(`np.savez(${JSON.stringify(brokenNpz)}, x_train=np.zeros((4, 8, 8, 1), np.float64), y_train=np.zeros(4), x_test=np.zeros((2, 8, 8, 1), np.uint8))`);
  const broken = await client.createSweep(sweepConfig({ dataset: `npz:${brokenNpz}` })).then(
    () => assert.fail('a broken npz was swept'),
    (error: unknown) => error as MorphSweepApiError,
  );
  assert.equal(broken.status, 422);
  const brokenProblem = (broken.details as { problems: { path: string; message: string }[] }).problems[0]!;
  assert.equal(brokenProblem.path, 'dataset');
  assert.match(brokenProblem.message, /broken\.npz lacks y_test \(it holds x_train, y_train, x_test\)/);

  assert.deepEqual(await rowCounts(), afterGoodUpload, 'no sweep row for any refused request');
});

test("docs/own-network.md's notebook walkthrough runs as written: upload with weights, sweep, retrain, both files written", async () => {
  const doc = await readFile(fileURLToPath(new URL('../../docs/own-network.md', import.meta.url)), 'utf8');
  const block = [...doc.matchAll(/```python\n([\s\S]*?)```/g)].map((match) => match[1]!).find((code) => code.includes('/api/models'));
  assert.ok(block, 'docs/own-network.md has the notebook block');
  // The documented config is a valid sweep once the uploaded id stands in for model["modelId"].
  const documented = /config = (\{[\s\S]*?\n\})/.exec(block);
  assert.ok(documented, 'the walkthrough defines `config`');
  parseSweepConfig(JSON.parse(documented[1]!.replace(/#.*$/gm, '').replace('model["modelId"]', `"sha256:${'0'.repeat(64)}"`).replace(/,(\s*[}\]])/g, '$1')));
  // Same code, tiny data: the walkthrough's own files are made here (its Keras and converter steps need TensorFlow).
  const notebookDir = join(workDir, 'notebook');
  await mkdir(notebookDir, { recursive: true });
  await writeModelDirectory(join(notebookDir, 'my-model'), vgg);
  const npzPath = join(notebookDir, 'blocks.npz');
  writeBlocksNpz(npzPath);
  const tiny = sweepConfig({ name: 'own-network walkthrough', dataset: `npz:${npzPath}`, strengths: { values: [1e-6] } });
  assert.match(block, /^sweep_id = /m);
  const python = block
    .replace(/^sweep_id = /m, `config = ${JSON.stringify(tiny)}\nconfig["network"] = {"model": model["modelId"]}\nsweep_id = `)
    .replaceAll(/time\.sleep\(\d+\)/g, 'time.sleep(0.2)');
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(TEST_PYTHON, ['-'], { cwd: notebookDir, env: { ...process.env, MORPHSWEEP_URL: services.app.url, MORPHSWEEP_TOKEN: token } });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ code: exitCode, output: text }));
    child.stdin.end(python);
  });
  assert.equal(code, 0, output);
  assert.match(output, /^sha256:[0-9a-f]{64} \['vgg1_conv1', 'vgg1_conv2', 'branch_3x3', 'branch_1x1', 'hidden'\] \[\]$/m);
  const modelJson = JSON.parse(await readFile(join(notebookDir, 'retrained', 'model.json'), 'utf8'));
  const weights = await readFile(join(notebookDir, 'retrained', 'weights.bin'));
  assert.ok(modelJson.userDefinedMetadata.morphsweepInputNormalization.stdPerChannel.length === 1);
  const reloaded = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData: new Uint8Array(weights).buffer }),
  );
  assert.deepEqual(reloaded.outputs[0]!.shape, [null, 3]);
  reloaded.dispose();
});

test("a worker's network starts from the stored weights unless the config says fresh; structure costs rebuild from the topology alone", async () => {
  // "Trained" weights: the fixture's seeded initial weights doubled, so a fresh start cannot match them.
  const trained = new Float32Array(vgg.weightData.slice().buffer).map((value) => value * 2);
  const stored = await registerUserModel(services.database.prisma, vgg.modelJson, new Uint8Array(trained.buffer));
  const specs = (vgg.modelJson.weightsManifest as { weights: { name: string; shape: number[] }[] }[])[0]!.weights;
  assert.equal(specs[0]!.name, 'vgg1_conv1/kernel');
  const original = trained.slice(0, specs[0]!.shape.reduce((n, d) => n * d, 1));
  const dataset = await loadDataset(TINY_DATASET, { validationFraction: 0.25 });
  const kernelOf = async (initialWeights: 'stored' | 'fresh' | undefined, startingWeights: boolean) => {
    const config = parseSweepConfig(sweepConfig({ network: { model: stored.modelId, ...(initialWeights ? { initialWeights } : {}) } }));
    const { model } = await buildSweepNetwork(services.database.prisma, config, dataset, 0, { startingWeights });
    try {
      assert.ok(model.layers.some((layer) => layer.getClassName() === 'LogisticSigmoidGate'), 'FiGS gates inserted');
      return model.getLayer('vgg1_conv1').getWeights()[0]!.dataSync() as Float32Array;
    } finally {
      model.dispose();
    }
  };
  assert.deepEqual(await kernelOf(undefined, true), original, 'structure learning fine-tunes from the uploaded weights');
  assert.notDeepEqual(await kernelOf('fresh', true), original, '"fresh" starts from the initializers');
  assert.notDeepEqual(await kernelOf(undefined, false), original, 'cost and rebuild networks need no weights');
});
