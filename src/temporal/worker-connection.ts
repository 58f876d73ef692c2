import { NativeConnection } from '@temporalio/worker';
import { DEFAULT_CONNECT_TIMEOUT_MS, unreachableError, type ConnectOptions, type TemporalConfig } from './connection.ts';

/**
 * Kept apart from connection.ts so that the web app, which only needs a client, never loads the
 * worker package and its native bridge.
 */

/** The Rust-side connection that workers need; bounded by our own timeout since it has none. */
export async function connectWorkerConnection(config: TemporalConfig, options: ConnectOptions = {}): Promise<NativeConnection> {
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const connecting = NativeConnection.connect({ address: config.address, tls: config.tls, apiKey: config.apiKey });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${connectTimeoutMs / 1000} s`)), connectTimeoutMs);
  });
  try {
    return await Promise.race([connecting, timeout]);
  } catch (cause) {
    // A connect that finishes after we gave up must not keep the process alive.
    connecting.then((late) => late.close()).catch(() => {});
    throw unreachableError(config, cause);
  } finally {
    clearTimeout(timer);
  }
}
