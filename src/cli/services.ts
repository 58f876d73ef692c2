import { join } from 'node:path';
import { resolveDatabase, type ResolvedDatabase } from '../db/resolve-database.ts';
import { connectClient, temporalConfigFromEnv, type TemporalClientHandle } from '../temporal/connection.ts';
import type { SweepDeps } from '../temporal/sweeps.ts';
import { taskQueueFromEnv } from '../temporal/task-queues.ts';

/** Where the embedded database lives when DATABASE_URL is not set. */
export function dataDirFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.MORPHSWEEP_DATA_DIR?.trim() || join(process.cwd(), '.morphsweep', 'db');
}

export interface CliServices {
  database: ResolvedDatabase;
  temporal: TemporalClientHandle;
  deps: SweepDeps;
  close(): Promise<void>;
}

/** The store and Temporal as the environment names them (DATABASE_URL, TEMPORAL_ADDRESS, ...). */
export async function openServices(): Promise<CliServices> {
  const database = await resolveDatabase({ dataDir: dataDirFromEnv() });
  let temporal: TemporalClientHandle;
  try {
    temporal = await connectClient(temporalConfigFromEnv());
  } catch (error) {
    await database.stop();
    throw error;
  }
  return {
    database,
    temporal,
    deps: { prisma: database.prisma, client: temporal.client, taskQueue: taskQueueFromEnv() },
    async close() {
      await temporal.close();
      await database.stop();
    },
  };
}

/** Database only, for commands that just read results. */
export async function openDatabase(): Promise<ResolvedDatabase> {
  return resolveDatabase({ dataDir: dataDirFromEnv() });
}
