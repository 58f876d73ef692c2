#!/usr/bin/env bash
# Generate the Prisma client offline. The CLI would download a schema engine it does not need for
# `generate`; pointing PRISMA_SCHEMA_ENGINE_BINARY elsewhere skips that. Migrations are ours (src/db/migrate.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
export CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
export PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-/bin/false}"
npx --no-install prisma generate --schema prisma/schema.prisma
