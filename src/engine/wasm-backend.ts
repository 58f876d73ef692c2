import * as tf from '@tensorflow/tfjs';
import { BackendWasm, getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { loadThreadedSimdModule } from './wasm-threaded-module.ts';
import type { WasmModule } from './wasm-threaded-module.ts';
import { registerWasmKernels } from './wasm-kernels/register.ts';

export interface WasmActivation {
  threads: number;
  simd: boolean;
  /** Why the threaded build was not used although more than one thread was asked for. */
  threadedBuildFailure?: string;
}

/** tfjs registers wasm with priority 2; keep it so tf.ready() would pick the same backend. */
const wasmPriority = 2;

/**
 * Activates tfjs's wasm backend with our training kernels registered: the single-threaded SIMD
 * build for one thread, otherwise the threaded-SIMD build with a pool of `threads`.
 */
export async function activateWasm(threads: number): Promise<WasmActivation> {
  registerWasmKernels();
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  if (simd && threads > 1) {
    const singleThreadedFactory = tf.findBackendFactory('wasm');
    tf.removeBackend('wasm');
    let failure = 'the threaded-SIMD wasm build did not start';
    tf.registerBackend(
      'wasm',
      async () =>
        startThreadedBackend(threads).catch((error: unknown) => {
          failure = `the threaded-SIMD wasm build did not start: ${(error as Error).message}`;
          throw error;
        }),
      wasmPriority,
    );
    if (await tf.setBackend('wasm')) return { threads: getThreadsCount(), simd };
    // Still train, on one thread, and say why.
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', singleThreadedFactory, wasmPriority);
    setThreadsCount(1);
    await startSingleThreaded();
    return { threads: getThreadsCount(), simd, threadedBuildFailure: failure };
  }
  setThreadsCount(threads);
  await startSingleThreaded();
  return { threads: getThreadsCount(), simd };
}

async function startSingleThreaded(): Promise<void> {
  if (!(await tf.setBackend('wasm'))) {
    throw new Error('The wasm backend failed to start; check that @tensorflow/tfjs-backend-wasm 4.22 is installed.');
  }
}

async function startThreadedBackend(threads: number): Promise<BackendWasm> {
  const module = withTfjsBindings(await loadThreadedSimdModule(threads));
  // The constructor starts XNNPACK's pool: its workers wait for work forever, and Emscripten keeps
  // them referenced, which would stop Node from ever exiting on its own.
  const backend = new BackendWasm(module as never);
  const pthreads = module.PThread as { runningWorkers: { unref(): void }[] } | undefined;
  for (const worker of pthreads?.runningWorkers ?? []) worker.unref();
  return backend;
}

/** The same C entry points tfjs's own loader binds (backend_wasm.js, `init`). */
function withTfjsBindings(module: WasmModule): WasmModule {
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}
