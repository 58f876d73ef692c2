import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The Emscripten module object of tfjs's wasm build, as BackendWasm expects it. */
export type WasmModule = Record<string, unknown> & {
  cwrap: (name: string, returnType: string | null, argTypes: string[]) => (...args: unknown[]) => unknown;
};

const wasmOutDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js'));
const poolSizeStatement = 'var pthreadPoolSize=8;';
const workerCreation = 'worker=new Worker(pthreadMainJs)';
const coreCountQuery = 'if(ENVIRONMENT_IS_NODE)return require("os").cpus().length;';

/**
 * Loads tfjs's threaded-SIMD wasm build in Node. tfjs itself refuses threads under Node: it hands
 * Emscripten a Blob URL for the pthread worker script, which Node's worker_threads cannot load.
 * Here the worker script and the main script live in real files (in the OS temp directory, named
 * by content hash so concurrent processes share them safely), and the pthread pool is sized to
 * what XNNPACK will use instead of Emscripten's fixed 8 workers.
 */
export async function loadThreadedSimdModule(threads: number): Promise<WasmModule> {
  const mainSource = readFileSync(path.join(wasmOutDir, 'tfjs-backend-wasm-threaded-simd.js'), 'utf8');
  if (![poolSizeStatement, workerCreation, coreCountQuery].every((snippet) => mainSource.includes(snippet))) {
    throw new Error(
      'Unexpected @tensorflow/tfjs-backend-wasm build (no pthread pool size to set); ' +
        'install version 4.22.0 or run with threads: 1.',
    );
  }
  // XNNPACK's pool runs threads-1 workers beside the calling thread; one spare covers any other pthread.
  // Workers run plain CommonJS: no loader hooks (tsx, test runners) inherited from our execArgv.
  const patchedMain = mainSource
    .replace(poolSizeStatement, `var pthreadPoolSize=${threads};`)
    .replace(workerCreation, 'worker=new Worker(pthreadMainJs,{execArgv:[]})')
    // The C side caps its pool at "logical cores / 2" (assuming hyper-threading), which on a
    // 2-core machine means 1 thread; report twice the requested threads so the cap is ours.
    .replace(coreCountQuery, `if(ENVIRONMENT_IS_NODE)return ${threads * 2};`);
  const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as {
    wasmWorkerContents: string;
  };
  const mainScriptPath = writeOnce('main.cjs', patchedMain);
  // The exported script text went through a template literal, which turned its "\\n" escapes into
  // real newlines inside string literals; restore them (tfjs does the same before making a Blob).
  const workerScriptPath = writeOnce('worker.cjs', wasmWorkerContents.replace(/\n/g, '\\n'));
  const factory = require(mainScriptPath) as (config: object) => Promise<WasmModule>;
  const module = await factory({
    locateFile: (file: string, prefix: string) => {
      if (file.endsWith('.worker.js')) return workerScriptPath;
      if (file.endsWith('.wasm')) return path.join(wasmOutDir, 'tfjs-backend-wasm-threaded-simd.wasm');
      return prefix + file;
    },
    // Each pthread worker evaluates the main script from this path (a string, not a Blob).
    mainScriptUrlOrBlob: mainScriptPath,
  });
  return module;
}

/** Writes `contents` to a per-user temp file named by its hash, reusing an identical existing one. */
function writeOnce(baseName: string, contents: string): string {
  const hash = createHash('sha256').update(contents).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), `morphsweep-tfjs-wasm-${os.userInfo().uid}`);
  const filePath = path.join(dir, `${hash}-${baseName}`);
  // Code we are about to run: reuse the file only if it holds exactly what we would write.
  if (existsSync(filePath) && readFileSync(filePath, 'utf8') === contents) return filePath;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const partial = `${filePath}.${process.pid}.partial`;
  writeFileSync(partial, contents);
  renameSync(partial, filePath);
  return filePath;
}
