#!/usr/bin/env bash
# The test command: starts a private PostgreSQL cluster and a Temporal dev server for the whole run
# (test/support/with-services.ts), then node's test runner over every test file.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
mapfile -t files < <(find test -name '*.test.ts' | sort)
[ ${#files[@]} -gt 0 ] || { echo "no test files found" >&2; exit 1; }
exec node --import tsx test/support/with-services.ts -- \
  node --import tsx --test --test-concurrency="${TEST_CONCURRENCY:-2}" --test-reporter=spec "${files[@]}"
