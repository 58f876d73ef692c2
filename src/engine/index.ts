import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { resolveEngineOptions } from './backend-options.ts';
import type { EngineOptions, ResolvedBackendName, ResolvedEngineOptions } from './backend-options.ts';
import { activateNative, nativeBackendUnavailable, nativePackages, type NativeBackendName } from './native-backend.ts';
import { activateWasm } from './wasm-backend.ts';

export { backendNames, resolveEngineOptions } from './backend-options.ts';
export type { BackendName, EngineOptions, ResolvedBackendName } from './backend-options.ts';
export { nativeBackendUnavailable, visibleNvidiaGpus } from './native-backend.ts';

export interface EngineInfo {
  /** What initEngine chose. */
  backend: ResolvedBackendName;
  /** The name tf.getBackend() reports ('tensorflow' for both tfjs-node packages). */
  tfBackendName: string;
  /** Threads doing the math (wasm: XNNPACK pool including the calling thread). */
  threads: number;
  /** Whether wasm SIMD128 kernels are in use (false for other backends). */
  simd: boolean;
  /** TensorFlow version of the native engines' libtensorflow (undefined on wasm and cpu). */
  tensorflowVersion?: string;
  /** Devices the math runs on: ['CPU'], or the GPUs of tfjs-node-gpu. */
  devices: string[];
  /** Backends auto mode tried before this one, with why each was passed over. */
  skipped: { backend: ResolvedBackendName; reason: string }[];
  /** Set when wasm was asked for several threads but runs on one, with why. */
  threadsNote?: string;
  /** Set when tfjs-node-gpu loaded but TensorFlow runs on the CPU, with why. */
  deviceNote?: string;
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

async function startEngine(request: ResolvedEngineOptions): Promise<EngineInfo> {
  const skipped: EngineInfo['skipped'] = [];
  const order: ResolvedBackendName[] =
    request.backend === 'auto' ? ['tfjs-node-gpu', 'tfjs-node', 'wasm'] : [request.backend];
  for (const backend of order) {
    if (backend === 'tfjs-node-gpu' || backend === 'tfjs-node') {
      const unavailable = nativeBackendUnavailable(backend);
      if (unavailable !== undefined) {
        if (request.backend !== 'auto') throw new Error(`Backend '${backend}' is not available: ${unavailable}. ${useInstead}`);
        skipped.push({ backend, reason: unavailable });
        continue;
      }
      const { tensorflowVersion, devices, usingGpu } = await loadNativeBackend(backend, request.threads);
      const info: EngineInfo = { backend, tfBackendName: tf.getBackend(), threads: request.threads, simd: false, tensorflowVersion, devices, skipped };
      if (backend === 'tfjs-node-gpu' && !usingGpu) {
        info.deviceNote = 'TensorFlow found no usable GPU (CUDA libraries or driver missing?) and runs on the CPU.';
      }
      return info;
    }
    if (backend === 'wasm') {
      const { threads, simd, threadedBuildFailure } = await activateWasm(request.threads);
      const info: EngineInfo = { backend, tfBackendName: tf.getBackend(), threads, simd, devices: ['CPU'], skipped };
      if (threadedBuildFailure !== undefined) info.threadsNote = `Running on 1 thread: ${threadedBuildFailure}.`;
      return info;
    }
    if (!(await tf.setBackend('cpu'))) throw new Error('The tfjs cpu backend failed to start.');
    return { backend, tfBackendName: tf.getBackend(), threads: 1, simd: false, devices: ['CPU'], skipped };
  }
  throw new Error(`No backend could start: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`);
}

const useInstead = "Use backend 'wasm' (MORPHSWEEP_BACKEND=wasm) or 'auto'.";

/**
 * A native package that passed the checks but fails to load is an error even in auto mode: half a
 * libtensorflow may be in the process, and falling back silently would hide a broken install.
 */
async function loadNativeBackend(backend: NativeBackendName, threads: number) {
  try {
    return await activateNative(backend, threads);
  } catch (error) {
    throw new Error(
      `Backend '${backend}' failed to load ${nativePackages[backend]}: ${(error as Error).message}. ` +
        "Re-run `bash scripts/setup.sh` to rebuild it, or use backend 'wasm' (MORPHSWEEP_BACKEND=wasm).",
    );
  }
}

/**
 * What trained a run, stored with it: engine, versions, devices and threads (results repeat bit for
 * bit only on the same engine with the same thread count), e.g.
 * "tfjs-node (tfjs 4.22.0, TensorFlow 2.21.0, CPU, 2 threads)".
 */
export function engineLabel(info: EngineInfo): string {
  const tensorflow = info.tensorflowVersion === undefined ? '' : `, TensorFlow ${info.tensorflowVersion}`;
  const simd = info.backend === 'wasm' && info.simd ? ' SIMD' : '';
  return `${info.backend} (tfjs ${tf.version_core}${tensorflow}, ${info.devices.join(', ')}${simd}, ${info.threads} thread${info.threads === 1 ? '' : 's'})`;
}

/** One line for logs: what runs the math, and why auto passed over the engines before it. */
export function describeEngine(info: EngineInfo): string {
  const tensorflow = info.tensorflowVersion === undefined ? '' : ` on TensorFlow ${info.tensorflowVersion}`;
  const simd = info.backend === 'wasm' ? (info.simd ? ', SIMD' : ', no SIMD') : '';
  const skipped = info.skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ');
  const note = [info.threadsNote, info.deviceNote].filter((n) => n !== undefined).map((n) => ` ${n}`).join('');
  return (
    `engine ${info.backend}${tensorflow} (${info.devices.join(', ')}; ${info.threads} thread${info.threads === 1 ? '' : 's'}${simd})` +
    (skipped ? `; passed over ${skipped}` : '') +
    note
  );
}
