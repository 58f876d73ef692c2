import type { Command } from 'commander';

export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('API bearer tokens (stored hashed; the secret is shown once)');
  token
    .command('create <name>')
    .description('create a token and print its secret')
    .option('--json', 'machine-readable output')
    .action(async (name: string, options) => (await import('../actions/token.ts')).createTokenAction(name, options));
  token
    .command('revoke <idOrName>')
    .description('revoke the active token(s) with this id or name')
    .option('--json', 'machine-readable output')
    .action(async (idOrName: string, options) => (await import('../actions/token.ts')).revokeTokenAction(idOrName, options));
  token
    .command('list')
    .description('tokens with their state (never their secrets)')
    .option('--json', 'machine-readable output')
    .action(async (options) => (await import('../actions/token.ts')).listTokensAction(options));
}
