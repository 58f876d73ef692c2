import { createPrismaClient, type PrismaClient } from '../../../src/db/client.ts';
import { connectClient, temporalConfigFromEnv, type TemporalClientHandle } from '../../../src/temporal/connection.ts';
import type { SweepDeps } from '../../../src/temporal/sweeps.ts';
import { taskQueueFromEnv } from '../../../src/temporal/task-queues.ts';
import { ApiError, serviceUnavailable } from './errors.ts';

/**
 * One Prisma client and one Temporal connection per server process, made on first use. They hang off
 * globalThis because Next may evaluate this module once per route bundle.
 */

interface ServiceSingletons {
  prisma?: PrismaClient;
  temporal?: Promise<TemporalClientHandle>;
}

const singletons: ServiceSingletons = ((globalThis as { __morphsweepServices?: ServiceSingletons }).__morphsweepServices ??=
  {});

export function getPrisma(): PrismaClient {
  if (!singletons.prisma) {
    const databaseUrl = process.env.DATABASE_URL;
    if (!databaseUrl) {
      throw new ApiError(
        503,
        'database_not_configured',
        'the server has no DATABASE_URL; start it with `morphsweep serve`, which sets one, or export DATABASE_URL',
      );
    }
    singletons.prisma = createPrismaClient(databaseUrl);
  }
  return singletons.prisma;
}

export async function getTemporalClient(): Promise<TemporalClientHandle['client']> {
  singletons.temporal ??= connectClient(temporalConfigFromEnv());
  try {
    return (await singletons.temporal).client;
  } catch (error) {
    // Forget the failed attempt so that the next request tries again once Temporal is back.
    singletons.temporal = undefined;
    throw serviceUnavailable('temporal_unavailable', (error as Error).message);
  }
}

/** What src/temporal/sweeps.ts needs; workers of this deployment poll MORPHSWEEP_TASK_QUEUE. */
export async function getSweepDeps(): Promise<SweepDeps> {
  return { prisma: getPrisma(), client: await getTemporalClient(), taskQueue: taskQueueFromEnv() };
}
