import type { Command } from 'commander';
import { UsageError } from '../errors.ts';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the dashboard and HTTP API (embedded Postgres / a Temporal dev server unless DATABASE_URL / TEMPORAL_ADDRESS)')
    .option('--port <n>', 'port to listen on (0: any free port)', (value: string) => {
      const port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, got "${value}"`);
      return port;
    }, 3000)
    .option('--host <address>', 'address to bind; anything but loopback always requires API tokens', '127.0.0.1')
    .option('--with-worker', 'also start one worker process on the same database, Temporal and task queue (stopped with the server)', false)
    .action(async (options: { port: number; host: string; withWorker: boolean }) => (await import('../actions/serve.ts')).serveAction(options));
}
