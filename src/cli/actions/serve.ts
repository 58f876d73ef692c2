import { once } from 'node:events';
import { WebServerStartError, startWebServer } from '../../../web/lib/server/start.ts';
import { resolveDatabase } from '../../db/resolve-database.ts';
import { resolveTemporal } from '../../temporal/resolve-temporal.ts';
import { UsageError } from '../errors.ts';
import { dataDirFromEnv } from '../services.ts';

/**
 * The dashboard and API in this process until SIGINT/SIGTERM. Route handlers read their services
 * from the environment, so the embedded defaults (used when DATABASE_URL / TEMPORAL_ADDRESS are
 * unset) are published there before the app starts.
 */
export async function serveAction(options: { port: number; host: string }): Promise<void> {
  const database = await resolveDatabase({ dataDir: dataDirFromEnv() });
  const temporal = await resolveTemporal().catch(async (error) => {
    await database.stop();
    throw error;
  });
  process.env.DATABASE_URL = database.url;
  process.env.TEMPORAL_ADDRESS = temporal.address;
  process.env.TEMPORAL_NAMESPACE = temporal.namespace;
  try {
    const server = await startWebServer({ port: options.port, hostname: options.host }).catch((error) => {
      throw error instanceof WebServerStartError ? new UsageError(error.message) : error;
    });
    process.stderr.write(
      `MorphSweep dashboard and API on ${server.url} (OpenAPI: ${server.url}/api/openapi.json; ` +
        `${server.authRequired ? 'bearer token required: `morphsweep token create <name>`' : 'no token needed on loopback'})\n` +
        (temporal.devServer ? `Temporal dev server at ${temporal.address}: start workers with TEMPORAL_ADDRESS=${temporal.address} DATABASE_URL=... morphsweep worker\n` : ''),
    );
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
    process.stderr.write('stopping ...\n');
    await server.stop();
  } finally {
    await temporal.stop();
    await database.stop();
  }
}
