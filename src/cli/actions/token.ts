import { createApiToken, listApiTokens, revokeApiToken } from '../../db/repositories/tokens.ts';
import { UsageError } from '../errors.ts';
import { createOutput, formatTable } from '../output.ts';
import { openDatabase } from '../services.ts';

async function withDatabase<T>(work: (prisma: Awaited<ReturnType<typeof openDatabase>>['prisma']) => Promise<T>): Promise<T> {
  const database = await openDatabase();
  try {
    return await work(database.prisma);
  } finally {
    await database.stop();
  }
}

export async function createTokenAction(name: string, options: { json?: boolean }): Promise<void> {
  if (!name.trim()) throw new UsageError('a token needs a non-empty name, e.g. `morphsweep token create notebook`');
  const created = await withDatabase((prisma) => createApiToken(prisma, name.trim()));
  createOutput(Boolean(options.json)).result(created, () =>
    [`token ${created.id} (${created.name}) created; its secret, shown only now:`, created.secret, '', 'use it as: Authorization: Bearer <secret>'].join('\n'),
  );
}

export async function revokeTokenAction(idOrName: string, options: { json?: boolean }): Promise<void> {
  const revoked = await withDatabase((prisma) => revokeApiToken(prisma, idOrName));
  createOutput(Boolean(options.json)).result({ revoked }, () => `revoked ${revoked.join(', ')}`);
}

export async function listTokensAction(options: { json?: boolean }): Promise<void> {
  const tokens = await withDatabase((prisma) => listApiTokens(prisma));
  createOutput(Boolean(options.json)).result(tokens, () =>
    tokens.length === 0
      ? 'no tokens; create one with `morphsweep token create <name>`'
      : formatTable(
          ['id', 'name', 'created', 'last used', 'revoked'],
          tokens.map((t) => [t.id, t.name, iso(t.createdAt), iso(t.lastUsedAt), iso(t.revokedAt)]),
        ),
  );
}

function iso(value: Date | null): string {
  return value ? value.toISOString().replace(/\.\d+Z$/, 'Z') : '-';
}
