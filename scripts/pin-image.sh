#!/usr/bin/env bash
# Points `runs.image` of an action.yml at one image digest, so that a release of the action
# runs exactly the image built for it, whatever later happens to the image's tags.
#
# Usage: scripts/pin-image.sh ACTION_YML IMAGE DIGEST
#   IMAGE   ghcr.io/owner/name (lower case, no tag)
#   DIGEST  sha256:<64 hex digits>, as docker/build-push-action reports it
set -euo pipefail

if [ "$#" -ne 3 ]; then
    echo "usage: $0 ACTION_YML IMAGE DIGEST" >&2
    exit 2
fi
file=$1 image=$2 digest=$3

if ! [[ $image =~ ^[a-z0-9]+([._-][a-z0-9]+)*(\.[a-z0-9-]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)+$ ]]; then
    echo "pin-image: \`$image\` is not an image name without a tag (e.g. ghcr.io/owner/name)" >&2
    exit 2
fi
if ! [[ $digest =~ ^sha256:[0-9a-f]{64}$ ]]; then
    echo "pin-image: \`$digest\` is not a digest (sha256:<64 hex digits>)" >&2
    exit 2
fi
if [ "$(grep -c '^  image: ' "$file")" -ne 1 ]; then
    echo "pin-image: $file must have exactly one \`  image:\` line under \`runs:\`" >&2
    exit 2
fi

pinned="  image: 'docker://${image}@${digest}'"
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
while IFS= read -r line || [ -n "$line" ]; do
    if [[ $line == "  image: "* ]]; then
        printf '%s\n' "$pinned"
    else
        printf '%s\n' "$line"
    fi
done < "$file" > "$tmp"
cat "$tmp" > "$file"
grep -qxF "$pinned" "$file"
