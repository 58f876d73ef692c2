import { Prisma } from './client.ts';

/**
 * Whether a failed query means "the database is not there right now" (down, restarting, out of
 * connections) rather than a bad query: callers answer those with "retry later" (HTTP 503), not 500.
 */

/** Prisma's codes for an unreachable or vanished server and an exhausted pool. */
const UNAVAILABLE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** The driver adapter's kinds for the same (Prisma 7 with @prisma/adapter-pg). */
const UNAVAILABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/** Raw queries (P2010) carry only the server's or driver's message. */
const UNAVAILABLE_MESSAGE =
  /Can't reach database server|Connection terminated|connection (?:is )?closed|ECONNREFUSED|ECONNRESET|the database system is (?:starting up|shutting down|in recovery mode)|terminating connection due to administrator command|too many clients/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientInitializationError) return true;
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (UNAVAILABLE_CODES.has(error.code)) return true;
  const kind = (error.meta as { driverAdapterError?: { cause?: { kind?: string } } } | undefined)?.driverAdapterError?.cause?.kind;
  if (kind !== undefined && UNAVAILABLE_KINDS.has(kind)) return true;
  return UNAVAILABLE_MESSAGE.test(error.message);
}
