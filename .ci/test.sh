#!/usr/bin/env bash
# test.sh: installs what gco needs on Debian or Ubuntu, builds it with
# --werror and runs every test suite (core, gtk, slow, lint).
#
#   ./.ci/test.sh [BUILD_DIR]     (default: build)
#
# Run it as root or as a user who may sudo. Packages already installed are not
# installed again, so a second run goes straight to the build. Tests that need
# a display run under Xvfb when there is no display.
set -euo pipefail

cd "$(dirname "$0")/.."
build_dir=${1:-build}

packages=(
  meson ninja-build pkg-config gcc binutils python3
  libglib2.0-dev libgtk-4-dev
  valgrind xvfb xauth dbus
)

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  as_root=(sudo)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f '${Status}\n' "$package" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}"
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

options=(--werror -Dtests=true -Dbenchmarks=true)
if [ -d "$build_dir/meson-private" ]; then
  meson setup --reconfigure "$build_dir" "${options[@]}"
else
  meson setup "$build_dir" "${options[@]}"
fi
meson compile -C "$build_dir"

run_tests=(meson test -C "$build_dir" --print-errorlogs)
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && command -v xvfb-run >/dev/null; then
  run_tests=(xvfb-run --auto-servernum --server-args='-screen 0 1280x1024x24' "${run_tests[@]}")
fi
"${run_tests[@]}"
