import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.ts';

export { PrismaClient, Prisma, SweepStatus, RunStatus } from './generated/prisma/client.ts';
export type { Sweep, Run, CurvePoint, Checkpoint, Retrain, ApiToken, UserModel, RetrainExport, Evidence } from './generated/prisma/client.ts';

/** How long a new pool connection may take before the query fails instead of hanging on a dead host. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * A Prisma client over node-postgres (Prisma 7 driver adapter), so the same code talks to a real
 * PostgreSQL server and to the embedded PGlite socket server. The pool drops broken connections on its
 * own, which is what lets running activities survive a database restart once they retry.
 */
export function createPrismaClient(databaseUrl: string): PrismaClient {
  const adapter = new PrismaPg(
    { connectionString: databaseUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS },
    // An idle connection killed by a server restart is expected; the pool replaces it on next use.
    { onPoolError: () => {} },
  );
  return new PrismaClient({ adapter });
}
