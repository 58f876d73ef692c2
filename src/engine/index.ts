import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { resolveEngineOptions } from './backend-options.ts';
import type { EngineOptions, ResolvedBackendName, ResolvedEngineOptions } from './backend-options.ts';
import { activateWasm } from './wasm-backend.ts';

export { backendNames, resolveEngineOptions } from './backend-options.ts';
export type { BackendName, EngineOptions, ResolvedBackendName } from './backend-options.ts';

export interface EngineInfo {
  /** What initEngine chose. */
  backend: ResolvedBackendName;
  /** The name tf.getBackend() reports ('tensorflow' for both tfjs-node packages). */
  tfBackendName: string;
  /** Threads doing the math (wasm: XNNPACK pool including the calling thread). */
  threads: number;
  /** Whether wasm SIMD128 kernels are in use (false for other backends). */
  simd: boolean;
  /** Backends auto mode tried before this one, with why each was passed over. */
  skipped: { backend: ResolvedBackendName; reason: string }[];
  /** Set when wasm was asked for several threads but runs on one, with why. */
  threadsNote?: string;
}

let engine: { request: ResolvedEngineOptions; info: Promise<EngineInfo> } | undefined;

/**
 * Chooses and starts the TF.js backend once per process: tfjs-node-gpu > tfjs-node > wasm in auto
 * mode. Later calls return the same info; asking for a different backend or thread count after
 * the first call is an error, since tfjs cannot switch the running process's engine cleanly.
 */
export function initEngine(options: EngineOptions = {}): Promise<EngineInfo> {
  const request = resolveEngineOptions(options);
  if (engine === undefined) {
    const info = startEngine(request);
    engine = { request, info };
    info.catch(() => {
      engine = undefined;
    });
    return info;
  }
  const explicitlyDifferent =
    (options.backend !== undefined && options.backend !== engine.request.backend) ||
    (options.threads !== undefined && options.threads !== engine.request.threads);
  if (explicitlyDifferent) {
    const current = engine.request;
    return Promise.reject(
      new Error(
        `The engine is already running with backend '${current.backend}' and ${current.threads} thread(s); ` +
          `cannot switch to ${JSON.stringify(options)} in the same process. Start a new process to change it.`,
      ),
    );
  }
  return engine.info;
}

const nodePackages = { 'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu', 'tfjs-node': '@tensorflow/tfjs-node' } as const;

async function startEngine(request: ResolvedEngineOptions): Promise<EngineInfo> {
  const skipped: EngineInfo['skipped'] = [];
  const order: ResolvedBackendName[] =
    request.backend === 'auto' ? ['tfjs-node-gpu', 'tfjs-node', 'wasm'] : [request.backend];
  for (const backend of order) {
    if (backend === 'tfjs-node-gpu' || backend === 'tfjs-node') {
      const failure = await loadNativeBackend(backend, request.threads);
      if (failure === undefined) {
        return { backend, tfBackendName: tf.getBackend(), threads: request.threads, simd: false, skipped };
      }
      if (request.backend !== 'auto') throw new Error(failure);
      skipped.push({ backend, reason: failure });
      continue;
    }
    if (backend === 'wasm') {
      const { threads, simd, threadedBuildFailure } = await activateWasm(request.threads);
      const info: EngineInfo = { backend, tfBackendName: tf.getBackend(), threads, simd, skipped };
      if (threadedBuildFailure !== undefined) info.threadsNote = `Running on 1 thread: ${threadedBuildFailure}.`;
      return info;
    }
    if (!(await tf.setBackend('cpu'))) throw new Error('The tfjs cpu backend failed to start.');
    return { backend, tfBackendName: tf.getBackend(), threads: 1, simd: false, skipped };
  }
  throw new Error(`No backend could start: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`);
}

/** Returns undefined on success, else why the package cannot be used. */
async function loadNativeBackend(backend: keyof typeof nodePackages, threads: number): Promise<string | undefined> {
  const packageName = nodePackages[backend];
  // TensorFlow reads its intra-op pool size when the native library loads.
  process.env.TF_NUM_INTRAOP_THREADS ??= String(threads);
  try {
    await import(packageName);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const packageMissing =
      (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && (error as Error).message.includes(`'${packageName}'`);
    if (packageMissing) {
      return (
        `Backend '${backend}' is not available: the optional package ${packageName} is not installed ` +
        `(it downloads libtensorflow at install time). Install it, or use backend 'wasm' ` +
        `(MORPHSWEEP_BACKEND=wasm) or 'auto'.`
      );
    }
    return `Backend '${backend}' failed to load ${packageName}: ${(error as Error).message}. Use backend 'wasm' or 'auto'.`;
  }
  if (!(await tf.setBackend('tensorflow'))) {
    return `Backend '${backend}': ${packageName} loaded but the 'tensorflow' backend did not start. Use backend 'wasm' or 'auto'.`;
  }
  return undefined;
}
