import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initEngine, resolveEngineOptions } from '../../src/engine/index.ts';

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

test('an explicit backend whose package is absent or cannot load fails with what to do instead', async () => {
  // tfjs-node(-gpu) are optional dependencies that cannot install on this machine: npm either skips
  // them or installs them without the native addon their held-back install script would download.
  for (const backend of ['tfjs-node', 'tfjs-node-gpu']) {
    await assert.rejects(initEngine({ backend: backend as 'tfjs-node' }), {
      message: new RegExp(
        `Backend '${backend}' (is not available: the optional package @tensorflow/${backend} is not installed|failed to load @tensorflow/${backend}: .*native addon).*use backend 'wasm'`,
        'is',
      ),
    });
  }
});

test('auto falls back to wasm, says what it skipped, and later calls return the same engine', async () => {
  const info = await initEngine({ backend: 'auto', threads: 2 });
  assert.equal(info.backend, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(info.threads, 2);
  assert.equal(info.simd, true);
  assert.deepEqual(
    info.skipped.map((s) => s.backend),
    ['tfjs-node-gpu', 'tfjs-node'],
  );
  assert.equal(await initEngine(), info);
  assert.equal(await initEngine({ backend: 'auto' }), info);
  await assert.rejects(initEngine({ backend: 'cpu' }), { message: /already running with backend 'auto'.*Start a new process/ });
  // The engine really computes: a depthwise gradient (a kernel wasm lacks) runs.
  const gradient = tf.grad((x: tf.Tensor) => tf.depthwiseConv2d(x as tf.Tensor4D, tf.ones([2, 2, 1, 1]), 1, 'valid').sum())(
    tf.ones([1, 3, 3, 1]),
  );
  assert.deepEqual(Array.from(gradient.dataSync()), [1, 2, 1, 2, 4, 2, 1, 2, 1]);
});
