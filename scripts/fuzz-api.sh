#!/usr/bin/env bash
# Fuzz the HTTP API from /api/openapi.json with schemathesis (pinned) and fail on any 5xx answer.
# Installs schemathesis into .morphsweep/fuzz-venv on first use, starts PostgreSQL and Temporal
# (test/support/with-services.ts), builds the app if its sources changed, and serves it.
# FUZZ_MAX_EXAMPLES=N sets the examples per operation (default 30).
set -euo pipefail
cd "$(dirname "$0")/.."
SCHEMATHESIS_VERSION=4.32.5
VENV=.morphsweep/fuzz-venv
if ! "$VENV/bin/st" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi
export SCHEMATHESIS_BIN="$PWD/$VENV/bin/st" NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
exec node --import tsx test/support/with-services.ts -- node --import tsx scripts/fuzz-api.ts
