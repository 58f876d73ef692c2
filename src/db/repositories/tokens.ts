import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '../generated/prisma/client.ts';

/**
 * API bearer tokens. Only the sha256 of a secret is stored: a leaked database cannot be replayed
 * against the API, and the secret is shown once, when it is created.
 */

const SECRET_PREFIX = 'mst_';
/** lastUsedAt is a hint for humans; writing it on every request would turn reads into writes. */
const LAST_USED_WRITE_INTERVAL_MS = 60_000;

export interface CreatedApiToken {
  id: string;
  name: string;
  /** The bearer secret; never stored, so this is the only time anyone sees it. */
  secret: string;
}

export interface ApiTokenIdentity {
  id: string;
  name: string;
}

export class ApiTokenNotFoundError extends Error {
  constructor(readonly idOrName: string) {
    super(
      `no active API token with id or name "${idOrName}"; list tokens with \`morphsweep token list\` or create one with \`morphsweep token create <name>\``,
    );
    this.name = 'ApiTokenNotFoundError';
  }
}

export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function validateTokenName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 100) {
    throw new Error(`token name must be 1 to 100 characters, got ${JSON.stringify(name)}`);
  }
  return trimmed;
}

export async function createApiToken(prisma: PrismaClient, name: string): Promise<CreatedApiToken> {
  const tokenName = validateTokenName(name);
  const id = `tok_${randomBytes(8).toString('hex')}`;
  const secret = `${SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
  await prisma.apiToken.create({ data: { id, name: tokenName, tokenHash: hashTokenSecret(secret) } });
  return { id, name: tokenName, secret };
}

/**
 * Revoke by id, or every active token with that name. Revoked rows stay for the audit trail.
 * Returns the ids revoked; throws ApiTokenNotFoundError when nothing active matched.
 */
export async function revokeApiToken(prisma: PrismaClient, idOrName: string): Promise<string[]> {
  const active = await prisma.apiToken.findMany({
    where: { revokedAt: null, OR: [{ id: idOrName }, { name: idOrName }] },
    select: { id: true },
  });
  if (active.length === 0) throw new ApiTokenNotFoundError(idOrName);
  const ids = active.map((token) => token.id);
  await prisma.apiToken.updateMany({ where: { id: { in: ids } }, data: { revokedAt: new Date() } });
  return ids;
}

export interface ApiTokenListing {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export async function listApiTokens(prisma: PrismaClient): Promise<ApiTokenListing[]> {
  return prisma.apiToken.findMany({
    select: { id: true, name: true, createdAt: true, lastUsedAt: true, revokedAt: true },
    orderBy: { createdAt: 'asc' },
  });
}

/** The active token whose secret this is, or null for unknown and revoked secrets alike. */
export async function verifyApiToken(prisma: PrismaClient, secret: string): Promise<ApiTokenIdentity | null> {
  const token = await prisma.apiToken.findUnique({
    where: { tokenHash: hashTokenSecret(secret) },
    select: { id: true, name: true, revokedAt: true, lastUsedAt: true },
  });
  if (!token || token.revokedAt) return null;
  const now = Date.now();
  if (!token.lastUsedAt || now - token.lastUsedAt.getTime() > LAST_USED_WRITE_INTERVAL_MS) {
    await prisma.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: new Date(now) } });
  }
  return { id: token.id, name: token.name };
}
