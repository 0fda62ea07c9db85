#!/usr/bin/env bash
# screenshots.sh: saves a screenshot of every page of the demo, at the default
# window size, under a virtual X server (Xvfb), so a person can look at what
# the demo shows without a display.
#
#   ./demo/screenshots.sh [OUT_DIR]   (default: $BUILD_DIR/screenshots;
#                                      build directory: $BUILD_DIR or build)
#
# Each page is opened in a fresh run (gco-demo --page NAME), left to settle
# for a few seconds and captured with ImageMagick's import as PAGE.png.
set -euo pipefail

cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
out_dir=${1:-$build_dir/screenshots}
settle_seconds=${SETTLE_SECONDS:-3}

./.ci/packages.sh meson ninja-build pkg-config gcc libglib2.0-dev libgtk-4-dev \
  xvfb xauth imagemagick
./.ci/configure.sh "$build_dir"
meson compile -C "$build_dir" gco-demo
mkdir -p "$out_dir"

demo="$PWD/$build_dir/demo/gco-demo"
for page in $("$demo" --list-pages); do
  xvfb-run --auto-servernum --server-args='-screen 0 1000x680x24' \
    env GTK_A11Y=test GDK_DEBUG=vulkan-disable NO_AT_BRIDGE=1 \
    bash -c '"$1" --page "$2" & pid=$!
             sleep "$3"
             import -window root "$4"
             kill "$pid"; wait "$pid" || true' \
    screenshot "$demo" "$page" "$settle_seconds" "$out_dir/$page.png"
  echo "screenshots.sh: $out_dir/$page.png"
done
