#!/usr/bin/env bash
# The native TF.js engine, built from registry packages only: the binding sources of
# @tensorflow/tfjs-node(-gpu) 4.22.0 (installed by `npm ci` from the lockfile, install script held
# back: it would download libtensorflow 2.9.1 from outside any registry) compiled with npm's bundled
# node-gyp against libtensorflow of TensorFlow 2.21 from the PyPI wheel (tensorflow-cpu, or
# tensorflow[and-cuda] with --gpu). The wheel's venv also runs the Keras anchor of bench/.
#
#   bash scripts/native-engine.sh [--gpu]      (scripts/setup.sh calls it; MORPHSWEEP_NATIVE_ENGINE=off skips it)
#
# Everything lands under .morphsweep/ and is kept: a second run only checks files. It never fails:
# when something is missing (registry, compiler, platform) it says so in one line and the project
# trains on the wasm engine.
set -uo pipefail
cd "$(dirname "$0")/.."

TENSORFLOW_VERSION=2.21.0
TFJS_NODE_VERSION=4.22.0
NAPI_VERSION=8 # the binding's module path lib/napi-v8, which @mapbox/node-pre-gyp looks up on Node >= 15

gpu=0
for argument in "$@"; do
  case "$argument" in
    --gpu) gpu=1 ;;
    *) echo "native-engine: unknown option '$argument' (only --gpu)" >&2; exit 2 ;;
  esac
done

if [ "$gpu" = 1 ]; then
  package=tfjs-node-gpu
  wheel_spec="tensorflow[and-cuda]==${TENSORFLOW_VERSION}"
  venv=.morphsweep/tf-gpu-venv
else
  package=tfjs-node
  wheel_spec="tensorflow-cpu==${TENSORFLOW_VERSION}"
  venv=.morphsweep/tf-venv
fi
build_dir=".morphsweep/native/${package}-${TFJS_NODE_VERSION}+tf-${TENSORFLOW_VERSION}"
installed="node_modules/@tensorflow/${package}"
log=".morphsweep/native/${package}.log"

skip() {
  echo "setup: native engine (${package}) not installed: $1; training runs on the wasm engine"
  exit 0
}

[ "${MORPHSWEEP_NATIVE_ENGINE:-on}" = off ] && skip "MORPHSWEEP_NATIVE_ENGINE=off"
[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || skip "the TensorFlow ${TENSORFLOW_VERSION} wheels used here are for Linux x86_64, this is $(uname -s)-$(uname -m)"
[ -f "$installed/binding.gyp" ] || skip "$installed is missing (npm ci installs it from the lockfile; npm >= 11 is needed to hold its install script back)"
mkdir -p .morphsweep/native

# Done already? Only file checks: the binding built for these versions, its libraries resolvable.
binding="lib/napi-v${NAPI_VERSION}/tfjs_binding.node"
if [ -f "$build_dir/$binding" ] && [ -e "$build_dir/deps/lib/libtensorflow_cc.so.2" ] \
  && cmp -s "$build_dir/$binding" "$installed/$binding" && [ -e "$installed/deps/lib/libtensorflow_cc.so.2" ]; then
  exit 0
fi

# 1. TensorFlow from PyPI, pinned, in a venv of its own.
if ! grep -qxF "$wheel_spec" "$venv/.morphsweep-installed" 2>/dev/null; then
  echo "setup: installing ${wheel_spec} (PyPI) into ${venv}"
  python3 -m venv "$venv" >>"$log" 2>&1 || skip "python3 -m venv failed (see $log)"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$wheel_spec" >>"$log" 2>&1 \
    || skip "pip could not install ${wheel_spec} (see $log)"
  echo "$wheel_spec" >"$venv/.morphsweep-installed"
fi
site_packages=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])') || skip "the venv $venv is broken"
tensorflow_dir="$(realpath "$site_packages")/tensorflow"
[ -f "$tensorflow_dir/libtensorflow_cc.so.2" ] && [ -f "$tensorflow_dir/include/tensorflow/c/eager/c_api.h" ] \
  || skip "$tensorflow_dir has no libtensorflow_cc.so.2 or C API headers"

# 2. The binding, built from the package npm installed (its sources, checked against the lockfile).
if [ ! -f "$build_dir/$binding" ] || [ ! -e "$build_dir/deps/lib/libtensorflow_cc.so.2" ]; then
  command -v g++ >/dev/null && command -v make >/dev/null || skip "g++ and make are needed to build the binding"
  node_gyp="$(dirname "$(realpath "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
  [ -f "$node_gyp" ] || skip "npm's bundled node-gyp was not found at $node_gyp"
  node_headers=$(dirname "$(dirname "$(realpath "$(command -v node)")")")
  [ -f "$node_headers/include/node/node_api.h" ] || skip "Node.js headers are missing ($node_headers/include/node/node_api.h)"
  echo "setup: building the ${package} ${TFJS_NODE_VERSION} binding against TensorFlow ${TENSORFLOW_VERSION}"
  rm -rf "$build_dir" && mkdir -p "$build_dir/deps/lib"
  cp -r "$installed/binding" "$installed/binding.gyp" "$installed/package.json" "$build_dir/"
  # -ltensorflow / -ltensorflow_framework at link time; at run time the binding's rpath
  # $ORIGIN/../../deps/lib finds the libraries by their SONAMEs.
  ln -s "$tensorflow_dir/include" "$build_dir/deps/include"
  ln -s "$tensorflow_dir/libtensorflow_cc.so.2" "$build_dir/deps/lib/libtensorflow.so"
  ln -s "$tensorflow_dir/libtensorflow_framework.so.2" "$build_dir/deps/lib/libtensorflow_framework.so"
  ln -s "$tensorflow_dir/libtensorflow_cc.so.2" "$build_dir/deps/lib/libtensorflow_cc.so.2"
  ln -s "$tensorflow_dir/libtensorflow_framework.so.2" "$build_dir/deps/lib/libtensorflow_framework.so.2"
  # glibc takes $ORIGIN from the path a library was loaded by (deps/lib), not the symlink's target:
  # the GPU library's RUNPATH $ORIGIN/../nvidia/*/lib then reaches the NVIDIA wheels through deps/nvidia.
  [ -d "$site_packages/nvidia" ] && ln -s "$(realpath "$site_packages/nvidia")" "$build_dir/deps/nvidia"
  module_path="$PWD/$build_dir/lib/napi-v${NAPI_VERSION}"
  if ! (cd "$build_dir" && node "$node_gyp" rebuild --nodedir="$node_headers" --module_name=tfjs_binding \
    --module_path="$module_path" --napi_build_version="$NAPI_VERSION") >>"$log" 2>&1; then
    rm -rf "$build_dir"
    skip "node-gyp could not build the binding (see $log)"
  fi
  rm -rf "$build_dir/build"
fi

# 3. Into the npm-installed package (npm ci replaces node_modules; the build above is kept).
rm -rf "$installed/lib" "$installed/deps"
cp -a "$build_dir/lib" "$build_dir/deps" "$installed/"
if ! loaded=$(TF_CPP_MIN_LOG_LEVEL=3 node -e "
  const tf = require('@tensorflow/${package}');
  if (tf.getBackend() !== 'tensorflow') throw new Error('backend ' + tf.getBackend());
  process.stdout.write(tf.backend().binding.TF_Version);" 2>>"$log"); then
  rm -rf "$installed/lib" "$installed/deps"
  skip "the built binding does not load (see $log)"
fi
echo "setup: native engine ${package} ${TFJS_NODE_VERSION} on TensorFlow ${loaded} installed ($(du -sh "$venv" | cut -f1) in $venv)"
