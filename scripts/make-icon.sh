#!/usr/bin/env bash
# Makes assets/icon.ico (the Windows .exe's icon, embedded by build.rs) from assets/icon.png
# (the window icon). Run it again only when icon.png changes, and commit both.
# Needs ImageMagick: apt-get install -y imagemagick
set -euo pipefail
cd "$(dirname "$0")/.."
convert assets/icon.png -depth 8 -define icon:auto-resize=256,64,48,32,24,16 assets/icon.ico
identify assets/icon.ico
