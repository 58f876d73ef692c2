import { temporalConfigFromEnv, type EnvironmentVariables, type TemporalConfig } from './connection.ts';
import { startTemporalDevServer } from './dev-server.ts';

export interface ResolvedTemporal {
  address: string;
  namespace: string;
  /** Ready for connectClient / connectWorkerConnection, TLS settings included. */
  config: TemporalConfig;
  /** true when we started a local dev server for this process. */
  devServer: boolean;
  /** Stops the dev server we started; nothing for a server given through TEMPORAL_ADDRESS. */
  stop(): Promise<void>;
}

/** TEMPORAL_ADDRESS when set, else a local dev server that lives as long as this process needs it. */
export async function resolveTemporal(env: EnvironmentVariables = process.env): Promise<ResolvedTemporal> {
  const config = temporalConfigFromEnv(env);
  if (env.TEMPORAL_ADDRESS?.trim()) {
    return { address: config.address, namespace: config.namespace, config, devServer: false, stop: async () => {} };
  }
  const server = await startTemporalDevServer({ namespace: config.namespace });
  return {
    address: server.address,
    namespace: server.namespace,
    config: { address: server.address, namespace: server.namespace },
    devServer: true,
    stop: server.stop,
  };
}
