import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine, nativeBackendUnavailable, resolveEngineOptions, visibleNvidiaGpus } from '../../src/engine/index.ts';

test('options win over MORPHSWEEP_BACKEND / MORPHSWEEP_THREADS, which win over the defaults', () => {
  const env = { MORPHSWEEP_BACKEND: 'cpu', MORPHSWEEP_THREADS: '3' };
  assert.deepEqual(resolveEngineOptions({}, env), { backend: 'cpu', threads: 3 });
  assert.deepEqual(resolveEngineOptions({ backend: 'wasm', threads: 1 }, env), { backend: 'wasm', threads: 1 });
  const defaults = resolveEngineOptions({}, {});
  assert.equal(defaults.backend, 'auto');
  assert.ok(defaults.threads >= 1);
});

test('a wrong backend name or thread count is one clear error that lists the choices', () => {
  assert.throws(() => resolveEngineOptions({}, { MORPHSWEEP_BACKEND: 'webgpu' }), {
    message: /Unknown backend "webgpu": choose one of auto, tfjs-node-gpu, tfjs-node, wasm, cpu .*MORPHSWEEP_BACKEND/,
  });
  assert.throws(() => resolveEngineOptions({ backend: 'tensorflow' as never }), { message: /Unknown backend "tensorflow"/ });
  assert.throws(() => resolveEngineOptions({}, { MORPHSWEEP_THREADS: 'two' }), { message: /threads must be a whole number/ });
  assert.throws(() => resolveEngineOptions({ threads: 0 }), { message: /threads must be at least 1/ });
  assert.throws(() => resolveEngineOptions({ threads: 1.5 }), { message: /whole number/ });
});

test('an explicit native backend that cannot load here fails with why and what to do instead', async () => {
  // No NVIDIA GPU on the test machines: tfjs-node-gpu is either not built or has no GPU to use.
  if (visibleNvidiaGpus().length > 0) return;
  await assert.rejects(initEngine({ backend: 'tfjs-node-gpu' }), {
    message: /^Backend 'tfjs-node-gpu' is not available: (its binding is not built \(`bash scripts\/setup\.sh --gpu`|no NVIDIA GPU is visible).*Use backend 'wasm' \(MORPHSWEEP_BACKEND=wasm\) or 'auto'\.$/,
  });
});

test('GPUs count as visible only with a driver entry and not hidden by CUDA_VISIBLE_DEVICES', () => {
  const procRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'morphsweep-nvidia-'));
  try {
    assert.deepEqual(visibleNvidiaGpus({}, procRoot), []);
    fs.mkdirSync(path.join(procRoot, 'gpus/0000:01:00.0'), { recursive: true });
    fs.writeFileSync(path.join(procRoot, 'gpus/0000:01:00.0/information'), 'Model: \t\t NVIDIA H100 80GB HBM3\nIRQ:   42\n');
    assert.deepEqual(visibleNvidiaGpus({}, procRoot), ['GPU 0: NVIDIA H100 80GB HBM3 (0000:01:00.0)']);
    assert.deepEqual(visibleNvidiaGpus({ CUDA_VISIBLE_DEVICES: '' }, procRoot), []);
    assert.deepEqual(visibleNvidiaGpus({ CUDA_VISIBLE_DEVICES: '-1' }, procRoot), []);
  } finally {
    fs.rmSync(procRoot, { recursive: true, force: true });
  }
});

test('auto picks the fastest engine that can run here, says what it passed over, and later calls return the same engine', async () => {
  const nativeReady = nativeBackendUnavailable('tfjs-node') === undefined;
  const info = await initEngine({ backend: 'auto', threads: 2 });
  assert.equal(info.backend, nativeReady ? 'tfjs-node' : 'wasm');
  assert.equal(tf.getBackend(), nativeReady ? 'tensorflow' : 'wasm');
  assert.equal(info.threads, 2);
  assert.equal(info.simd, !nativeReady);
  assert.deepEqual(
    info.skipped.map((s) => s.backend),
    nativeReady ? ['tfjs-node-gpu'] : ['tfjs-node-gpu', 'tfjs-node'],
  );
  assert.ok(info.skipped.every((s) => s.reason.length > 0));
  assert.equal(await initEngine(), info);
  assert.equal(await initEngine({ backend: 'auto' }), info);
  await assert.rejects(initEngine({ backend: 'cpu' }), { message: /already running with backend 'auto'.*Start a new process/ });
  // The engine really computes: a depthwise gradient (a kernel wasm lacks) runs.
  const gradient = tf.grad((x: tf.Tensor) => tf.depthwiseConv2d(x as tf.Tensor4D, tf.ones([2, 2, 1, 1]), 1, 'valid').sum())(
    tf.ones([1, 3, 3, 1]),
  );
  assert.deepEqual(Array.from(gradient.dataSync()), [1, 2, 1, 2, 4, 2, 1, 2, 1]);
});
