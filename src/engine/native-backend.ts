import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { registerNativeKernels } from './native-kernels.ts';

/**
 * The native engines: @tensorflow/tfjs-node(-gpu) 4.22's binding, built by scripts/native-engine.sh
 * against TensorFlow 2.21's libtensorflow from PyPI. Both register the same 'tensorflow' backend and
 * load a libtensorflow each, so a process may load only one of them: whether a GPU is usable is
 * decided before anything loads.
 */
export type NativeBackendName = 'tfjs-node-gpu' | 'tfjs-node';

export const nativePackages: Record<NativeBackendName, string> = {
  'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu',
  'tfjs-node': '@tensorflow/tfjs-node',
};

export interface NativeActivation {
  tensorflowVersion: string;
  /** TensorFlow's devices as the engine sees them, e.g. ['CPU'] or ['GPU 0: NVIDIA H100 80GB HBM3']. */
  devices: string[];
  usingGpu: boolean;
}

const requireFromHere = createRequire(import.meta.url);

/** The NVIDIA GPUs the driver exposes to this process (empty without a driver or device node). */
export function visibleNvidiaGpus(env: Record<string, string | undefined> = process.env, procRoot = '/proc/driver/nvidia'): string[] {
  const visible = env.CUDA_VISIBLE_DEVICES?.trim();
  if (visible === '' || visible === '-1') return [];
  let entries: string[];
  try {
    entries = fs.readdirSync(`${procRoot}/gpus`).sort();
  } catch {
    return [];
  }
  return entries.map((busId, index) => {
    const information = readOrEmpty(`${procRoot}/gpus/${busId}/information`);
    const model = /^Model:\s*(.+)$/m.exec(information)?.[1]?.trim() ?? 'NVIDIA GPU';
    return `GPU ${index}: ${model} (${busId})`;
  });
}

function readOrEmpty(path: string): string {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Why `backend` cannot be loaded in this process, without loading it: the package or its built
 * binding is missing (setup builds it), or (GPU) no GPU is visible. Undefined when it can be tried.
 */
export function nativeBackendUnavailable(backend: NativeBackendName): string | undefined {
  const packageName = nativePackages[backend];
  let packageJson: string;
  try {
    packageJson = requireFromHere.resolve(`${packageName}/package.json`);
  } catch {
    return `${packageName} is not installed (npm ci installs it from the lockfile)`;
  }
  const packageDir = path.dirname(packageJson);
  const setup = backend === 'tfjs-node-gpu' ? 'bash scripts/setup.sh --gpu' : 'bash scripts/setup.sh';
  if (!fs.existsSync(path.join(packageDir, 'lib/napi-v8/tfjs_binding.node'))) {
    return `its binding is not built (\`${setup}\` builds it against TensorFlow 2.21 from PyPI)`;
  }
  // The binding links libtensorflow through deps/lib's links into a venv under .morphsweep/.
  if (!fs.existsSync(path.join(packageDir, 'deps/lib/libtensorflow_cc.so.2'))) {
    return `the libtensorflow its binding was built against is gone (venv removed or checkout moved?); \`${setup}\` rebuilds it`;
  }
  if (backend === 'tfjs-node-gpu' && visibleNvidiaGpus().length === 0) {
    return 'no NVIDIA GPU is visible (no /proc/driver/nvidia/gpus entry, or CUDA_VISIBLE_DEVICES hides them)';
  }
  return undefined;
}

/**
 * Loads the package and makes its 'tensorflow' backend current. Threads: TensorFlow sizes its
 * intra-op pool from TF_NUM_INTRAOP_THREADS when the library loads, so it is set before.
 */
export async function activateNative(backend: NativeBackendName, threads: number): Promise<NativeActivation> {
  process.env.TF_NUM_INTRAOP_THREADS = String(threads);
  // Eager ops run one at a time from JS: a second inter-op pool only competes for the cores.
  process.env.TF_NUM_INTEROP_THREADS ??= '1';
  // TensorFlow's INFO lines say nothing actionable to a worker's reader (the oneDNN notice at load
  // time comes before TensorFlow reads this and still prints).
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '1';
  const packageName = nativePackages[backend];
  registerNativeKernels();
  await import(packageName);
  if (!(await tf.setBackend('tensorflow'))) throw new Error(`${packageName} loaded but its 'tensorflow' backend did not start`);
  const binding = (tf.backend() as unknown as { binding: { TF_Version: string; isUsingGpuDevice(): boolean } }).binding;
  const usingGpu = binding.isUsingGpuDevice();
  const gpus = backend === 'tfjs-node-gpu' ? visibleNvidiaGpus() : [];
  return { tensorflowVersion: binding.TF_Version, devices: usingGpu ? gpus : ['CPU'], usingGpu };
}
