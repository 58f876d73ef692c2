import os from 'node:os';
import { z } from 'zod';

export const backendNames = ['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof backendNames)[number];
export type ResolvedBackendName = Exclude<BackendName, 'auto'>;

export interface EngineOptions {
  backend?: BackendName;
  threads?: number;
}

export interface ResolvedEngineOptions {
  backend: BackendName;
  /** Threads for the compute pool; wasm uses its threaded build only when this is above 1. */
  threads: number;
}

const backendSchema = z.enum(backendNames, {
  error: (issue) =>
    `Unknown backend ${JSON.stringify(issue.input)}: choose one of ${backendNames.join(', ')} ` +
    '(option `backend` or env MORPHSWEEP_BACKEND).',
});

const threadsSchema = z.coerce
  .number({ error: 'threads must be a whole number from 1 to 64 (option `threads` or env MORPHSWEEP_THREADS).' })
  .int('threads must be a whole number from 1 to 64 (option `threads` or env MORPHSWEEP_THREADS).')
  .min(1, 'threads must be at least 1 (option `threads` or env MORPHSWEEP_THREADS).')
  .max(64, 'threads must be at most 64 (option `threads` or env MORPHSWEEP_THREADS).');

/** Validation errors carry the message that says what to do, nothing else. */
function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(result.error.issues[0]!.message);
  return result.data;
}

/** Explicit options win over the environment; the default is auto with one thread per core. */
export function resolveEngineOptions(
  options: EngineOptions = {},
  env: Record<string, string | undefined> = process.env,
): ResolvedEngineOptions {
  const backendInput = options.backend ?? (env.MORPHSWEEP_BACKEND?.trim() || 'auto');
  const threadsInput = options.threads ?? (env.MORPHSWEEP_THREADS?.trim() || os.availableParallelism());
  return {
    backend: parseOrThrow(backendSchema, backendInput),
    threads: parseOrThrow(threadsSchema, threadsInput),
  };
}
