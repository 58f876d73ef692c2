#!/usr/bin/env bash
# A deeper fuzz of the HTTP API than the test suite's (test/integration/api-fuzz.test.ts):
# FUZZ_MAX_EXAMPLES examples per operation (default 100). Needs `bash scripts/setup.sh` first.
set -euo pipefail
cd "$(dirname "$0")/.."
export FUZZ_MAX_EXAMPLES="${FUZZ_MAX_EXAMPLES:-100}" NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
exec node --import tsx test/support/with-services.ts -- node --import tsx --test --test-reporter=spec test/integration/api-fuzz.test.ts
