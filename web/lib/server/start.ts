import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AUTH_ENV, BIND_HOST_ENV, authPolicy, isLoopbackHost } from './auth-policy.ts';
import { restorePrecompressedEncoding } from './precompressed.ts';

/**
 * Serve the built dashboard and API from this process (what `morphsweep serve` calls). The app must
 * have been built (`npm run web:build`); services come from the environment (DATABASE_URL,
 * TEMPORAL_ADDRESS, ...), read by the route handlers on first use.
 */

export const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface WebServerOptions {
  /** 0 picks a free port. Default 3000. */
  port?: number;
  /** Default 127.0.0.1; tokens are then still required unless MORPHSWEEP_AUTH=off. */
  hostname?: string;
}

export interface WebServerHandle {
  url: string;
  port: number;
  hostname: string;
  authRequired: boolean;
  stop(): Promise<void>;
}

const UNSUPPORTED_METHODS = new Set(['TRACE', 'TRACK', 'CONNECT']);

export class WebServerStartError extends Error {
  override name = 'WebServerStartError';
}

type CreateNext = (options: { dev: boolean; dir: string; hostname: string; port: number; httpServer: http.Server }) => {
  prepare(): Promise<void>;
  getRequestHandler(): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;
  close(): Promise<void>;
};

async function loadNext(): Promise<CreateNext> {
  const module = (await import('next')) as unknown as { default: CreateNext | { default: CreateNext } };
  return typeof module.default === 'function' ? module.default : module.default.default;
}

function listen(server: http.Server, port: number, hostname: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, hostname, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startWebServer(options: WebServerOptions = {}): Promise<WebServerHandle> {
  const hostname = options.hostname ?? '127.0.0.1';
  const requestedPort = options.port ?? 3000;
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
    throw new WebServerStartError(`port must be an integer from 0 to 65535, got ${requestedPort}`);
  }
  if (process.env[AUTH_ENV] === 'off' && !isLoopbackHost(hostname)) {
    throw new WebServerStartError(
      `${AUTH_ENV}=off is only allowed on a loopback bind (127.0.0.1, ::1, localhost), not ${hostname}: unset ${AUTH_ENV} and use tokens (\`morphsweep token create <name>\`), or bind 127.0.0.1`,
    );
  }
  const distDir = path.join(WEB_DIR, process.env.MORPHSWEEP_NEXT_DIST_DIR || '.next');
  if (!existsSync(path.join(distDir, 'BUILD_ID'))) {
    throw new WebServerStartError(`the web app is not built (no ${distDir}/BUILD_ID); run \`npm run web:build\` first`);
  }
  // Route handlers run in this process and read the bind address from here to apply the auth policy.
  process.env[BIND_HOST_ENV] = hostname;
  process.env.NEXT_TELEMETRY_DISABLED ??= '1';

  let handle: ((req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>) | undefined;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const server = http.createServer((req, res) => {
    if (UNSUPPORTED_METHODS.has(req.method ?? '')) {
      // Next's request handling throws on these (a 500); they are simply not allowed here.
      res.writeHead(405, { 'content-type': 'application/json', allow: 'GET, POST, DELETE' });
      res.end(JSON.stringify({ error: { code: 'method_not_allowed', message: `${req.method} is not supported; use GET, POST or DELETE` } }));
      return;
    }
    restorePrecompressedEncoding(res);
    // Connections accepted while Next prepares wait for it rather than being dropped.
    ready.then(() => handle!(req, res)).catch((error) => {
      console.error('[web] request failed:', error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'internal_error', message: 'internal server error' } }));
    });
  });
  const port = await listen(server, requestedPort, hostname);
  const createNext = await loadNext();
  const app = createNext({ dev: false, dir: WEB_DIR, hostname, port, httpServer: server });
  try {
    await app.prepare();
  } catch (error) {
    server.close();
    throw new WebServerStartError(`the web app failed to start: ${(error as Error).message}`);
  }
  handle = app.getRequestHandler();
  markReady();

  const urlHost = hostname.includes(':') ? `[${hostname}]` : hostname;
  return {
    url: `http://${urlHost === '0.0.0.0' || urlHost === '[::]' ? '127.0.0.1' : urlHost}:${port}`,
    port,
    hostname,
    authRequired: authPolicy().required,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await app.close();
      await closeServices();
    },
  };
}

/** The route handlers' Prisma and Temporal singletons live on globalThis (see services.ts). */
async function closeServices(): Promise<void> {
  const services = (globalThis as { __morphsweepServices?: { prisma?: { $disconnect(): Promise<void> }; temporal?: Promise<{ close(): Promise<void> }> } })
    .__morphsweepServices;
  if (!services) return;
  const { prisma, temporal } = services;
  services.prisma = undefined;
  services.temporal = undefined;
  await Promise.allSettled([prisma?.$disconnect(), temporal?.then((handle) => handle.close())]);
}
