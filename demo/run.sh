#!/usr/bin/env bash
# run.sh: installs what the demo needs on Debian or Ubuntu, builds it and
# opens it. Arguments go to the demo (e.g. --page stress; --list-pages).
#
#   ./demo/run.sh [DEMO_OPTION...]        (build directory: $BUILD_DIR or build)
set -euo pipefail

cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}

./.ci/packages.sh meson ninja-build pkg-config gcc libglib2.0-dev libgtk-4-dev
./.ci/configure.sh "$build_dir"
meson compile -C "$build_dir" gco-demo
exec "./$build_dir/demo/gco-demo" "$@"
