#!/usr/bin/env bash
# test.sh: installs what gco needs on Debian or Ubuntu, builds it with
# --werror and runs every test suite (core, gtk, lint).
#
#   ./.ci/test.sh [BUILD_DIR]     (default: build)
#
# Run it as root or as a user who may sudo. Packages already installed are not
# installed again, so a second run goes straight to the build. Tests that need
# a display run under Xvfb when there is no display.
set -euo pipefail

cd "$(dirname "$0")/.."
build_dir=${1:-build}

# The validators run the lint suite's checks of the demo's desktop file and
# AppStream metainfo.
./.ci/packages.sh \
  meson ninja-build pkg-config gcc binutils python3 \
  libglib2.0-dev libgtk-4-dev \
  valgrind xvfb xauth dbus \
  desktop-file-utils appstream

./.ci/configure.sh "$build_dir" --werror -Dtests=true -Dbenchmarks=true
meson compile -C "$build_dir"

run_tests=(meson test -C "$build_dir" --print-errorlogs)
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && command -v xvfb-run >/dev/null; then
  run_tests=(xvfb-run --auto-servernum --server-args='-screen 0 1280x1024x24' "${run_tests[@]}")
fi
"${run_tests[@]}"
