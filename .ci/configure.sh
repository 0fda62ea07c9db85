#!/usr/bin/env bash
# configure.sh: sets up a meson build directory, or reconfigures it with the
# given options when it already exists.
#
#   ./.ci/configure.sh BUILD_DIR [MESON_OPTION...]
set -euo pipefail

build_dir=$1
shift
if [ -d "$build_dir/meson-private" ]; then
  meson setup --reconfigure "$build_dir" "$@"
else
  meson setup "$build_dir" "$@"
fi
