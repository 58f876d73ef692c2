import { Command, CommanderError } from 'commander';
import { InvalidSweepConfigError } from '../sweep/config.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerEvidenceCommand } from './commands/evidence.ts';
import { registerFrontCommand } from './commands/front.ts';
import { registerRetrainCommand } from './commands/retrain.ts';
import { registerServeCommand } from './commands/serve.ts';
import { registerSweepCommands } from './commands/sweep.ts';
import { registerTokenCommands } from './commands/token.ts';
import { registerWorkerCommand } from './commands/worker.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './errors.ts';

/** Errors that mean "your input is wrong" (exit 2) rather than "something failed" (exit 1). */
const USAGE_ERROR_NAMES = new Set([
  'UsageError',
  'InvalidSweepConfigError',
  'InvalidRetrainRequestError',
  'SweepNotFoundError',
  'RunNotFoundError',
  'RetrainNotFoundError',
  'TemporalConfigError',
  'ApiTokenNotFoundError',
  'InvalidUserModelError',
  'UserModelNotFoundError',
]);

/**
 * The `morphsweep` command. Returns the exit code instead of exiting, so tests can call it and
 * bin/morphsweep.mjs sets process.exitCode. Failures print one `error:` line on stderr.
 */
export async function main(argv: string[]): Promise<number> {
  let exitCode = EXIT_OK;
  const program = new Command('morphsweep')
    .description('MorphNet structure-learning sweeps on Temporal, results in Postgres')
    .exitOverride();
  const setExitCode = (code: number) => {
    exitCode = Math.max(exitCode, code);
  };
  registerSweepCommands(program, setExitCode);
  registerFrontCommand(program);
  registerRetrainCommand(program);
  registerEvidenceCommand(program);
  registerWorkerCommand(program);
  registerDemoCommand(program, setExitCode);
  registerServeCommand(program);
  registerTokenCommands(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version output end here too, with exit code 0.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    process.stderr.write(`error: ${oneLine(error)}\n`);
    if (process.env.MORPHSWEEP_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return isUsageError(error) ? EXIT_USAGE : EXIT_FAILURE;
  }
}

function isUsageError(error: unknown): boolean {
  return error instanceof UsageError || (error instanceof Error && USAGE_ERROR_NAMES.has(error.name));
}

/** Multi-line messages (e.g. every config problem) folded into one line for logs and scripts. */
function oneLine(error: unknown): string {
  if (error instanceof InvalidSweepConfigError) {
    return `invalid sweep config: ${error.problems.map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ')}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, '; ');
}
