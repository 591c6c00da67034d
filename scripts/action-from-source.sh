#!/usr/bin/env bash
# Points action.yml at the repository's Dockerfile instead of the published image, so that
# `uses: ./` builds and runs the action from this checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
sed -i -e "s#^  image: .*#  image: 'Dockerfile'#" action.yml
grep -q "^  image: 'Dockerfile'" action.yml
