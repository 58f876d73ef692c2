import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { z } from 'zod';

/**
 * Temporal connection settings come only from the environment, so the same code runs against the local
 * dev server and against a real cluster (mTLS or API key) on many machines.
 */

/** Environment variables as given (process.env or a test's own set). */
export type EnvironmentVariables = Readonly<Record<string, string | undefined>>;

export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

export interface ConnectOptions {
  /** How long to wait for the server before giving up with TemporalUnreachableError. */
  connectTimeoutMs?: number;
}

export interface TemporalTlsFiles {
  clientCertPair?: { crt: Buffer; key: Buffer };
  serverRootCACertificate?: Buffer;
}

export interface TemporalConfig {
  address: string;
  namespace: string;
  /** true: TLS with the system's roots (e.g. an API-key cluster); an object: mTLS and/or a private CA. */
  tls?: true | TemporalTlsFiles;
  apiKey?: string;
}

export class TemporalConfigError extends Error {
  override name = 'TemporalConfigError';
}

export class TemporalUnreachableError extends Error {
  override name = 'TemporalUnreachableError';
}

const nonEmpty = z.string().trim().min(1);
const TemporalEnvSchema = z.object({
  TEMPORAL_ADDRESS: nonEmpty
    .regex(/^[^\s:/]+:\d{1,5}$/, 'must be host:port, e.g. localhost:7233 or my-ns.tmprl.cloud:7233')
    .optional(),
  TEMPORAL_NAMESPACE: nonEmpty.optional(),
  TEMPORAL_TLS_CERT_PATH: nonEmpty.optional(),
  TEMPORAL_TLS_KEY_PATH: nonEmpty.optional(),
  TEMPORAL_TLS_CA_PATH: nonEmpty.optional(),
  TEMPORAL_API_KEY: nonEmpty.optional(),
});

export function temporalConfigFromEnv(env: EnvironmentVariables = process.env): TemporalConfig {
  const parsed = TemporalEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new TemporalConfigError(`Invalid Temporal settings in the environment: ${problems}.`);
  }
  const vars = parsed.data;
  if (Boolean(vars.TEMPORAL_TLS_CERT_PATH) !== Boolean(vars.TEMPORAL_TLS_KEY_PATH)) {
    throw new TemporalConfigError('TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together (mTLS client certificate and its key): set both or neither.');
  }
  const config: TemporalConfig = {
    address: vars.TEMPORAL_ADDRESS ?? DEFAULT_TEMPORAL_ADDRESS,
    namespace: vars.TEMPORAL_NAMESPACE ?? DEFAULT_TEMPORAL_NAMESPACE,
  };
  if (vars.TEMPORAL_TLS_CERT_PATH && vars.TEMPORAL_TLS_KEY_PATH) {
    config.tls = {
      clientCertPair: {
        crt: readSettingFile('TEMPORAL_TLS_CERT_PATH', vars.TEMPORAL_TLS_CERT_PATH),
        key: readSettingFile('TEMPORAL_TLS_KEY_PATH', vars.TEMPORAL_TLS_KEY_PATH),
      },
    };
  }
  if (vars.TEMPORAL_TLS_CA_PATH) {
    config.tls = { ...(config.tls === true ? {} : config.tls), serverRootCACertificate: readSettingFile('TEMPORAL_TLS_CA_PATH', vars.TEMPORAL_TLS_CA_PATH) };
  }
  if (vars.TEMPORAL_API_KEY) {
    config.apiKey = vars.TEMPORAL_API_KEY;
    // API-key clusters only accept TLS; keep any certificate settings given alongside.
    config.tls ??= true;
  }
  return config;
}

function readSettingFile(variable: string, filePath: string): Buffer {
  try {
    return readFileSync(filePath);
  } catch (cause) {
    throw new TemporalConfigError(`${variable}=${filePath} cannot be read (${(cause as Error).message}); point it at the PEM file.`, { cause });
  }
}

export interface TemporalClientHandle {
  client: Client;
  connection: Connection;
  close(): Promise<void>;
}

export async function connectClient(config: TemporalConfig, options: ConnectOptions = {}): Promise<TemporalClientHandle> {
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: config.address, tls: config.tls, apiKey: config.apiKey, connectTimeout: connectTimeoutMs });
  } catch (cause) {
    throw unreachableError(config, cause);
  }
  const client = new Client({ connection, namespace: config.namespace });
  return { client, connection, close: () => connection.close() };
}

export function unreachableError(config: TemporalConfig, cause: unknown): TemporalUnreachableError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new TemporalUnreachableError(
    `Cannot reach the Temporal server at ${config.address} (${reason}). Check that TEMPORAL_ADDRESS is the frontend's host:port and that the server is running (and TLS/API-key settings if it is a cluster), or unset TEMPORAL_ADDRESS to let MorphSweep start a local dev server.`,
    { cause },
  );
}
