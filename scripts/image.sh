#!/usr/bin/env bash
# Builds the container image without a Docker daemon and checks it end to end.
#
# buildah (vfs storage, chroot isolation: no daemon, no user namespaces) builds an image
# FROM scratch holding the static musl binary and the host's CA bundle, writes it as an OCI
# layout with gzip layers (what a registry stores), prints its compressed size and the start
# time of its entrypoint, unpacks its root file system and runs the `image` test: the
# entrypoint, under chroot, against the fake GitHub of the tests.
#
# IMAGE_E2E=0    skip it
# IMAGE_OUT      where the OCI layout and the root file system go (default <target dir>/image)
#
# Skipped, with a line saying why, when buildah, root, the musl target or musl-gcc are missing
# (`apt-get install buildah musl-tools`, `rustup target add x86_64-unknown-linux-musl`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

skip() {
    echo "image: skipped ($1)"
    exit 0
}
[ "${IMAGE_E2E:-1}" = 0 ] && skip "IMAGE_E2E=0"
command -v buildah >/dev/null || skip "buildah is not installed"
[ "$(id -u)" = 0 ] || skip "chroot needs root"
rustup target list --installed 2>/dev/null | grep -qx x86_64-unknown-linux-musl \
    || skip "the x86_64-unknown-linux-musl target is not installed"
command -v musl-gcc >/dev/null || skip "musl-gcc (musl-tools) is not installed"
ca=/etc/ssl/certs/ca-certificates.crt
[ -f "$ca" ] || skip "no CA bundle at $ca"

target=x86_64-unknown-linux-musl
out="${IMAGE_OUT:-${CARGO_TARGET_DIR:-target}/image}"
bin="${CARGO_TARGET_DIR:-target}/$target/release/benchgate"
cargo build --release --locked --target "$target" --bin benchgate

export BUILDAH_ISOLATION=chroot
rm -rf "$out"
mkdir -p "$out"
# Storage of its own, so the host's container storage (and its driver) is left alone.
buildah() { command buildah --storage-driver vfs --root "$out/storage" --runroot "$out/run" "$@"; }
ctr="$(buildah from scratch)"
trap 'buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT
buildah copy --chmod 0755 "$ctr" "$bin" /usr/local/bin/benchgate >/dev/null
buildah copy --chmod 0644 "$ctr" "$ca" /etc/ssl/certs/ca-certificates.crt >/dev/null
buildah config --entrypoint '["/usr/local/bin/benchgate"]' --cmd '--help' \
    --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt "$ctr"
image="$(buildah commit --quiet "$ctr" benchgate-scratch)"
buildah push --quiet --compression-format gzip "$image" "oci:$out/oci:benchgate" >/dev/null

# The root file system, as a container would see it.
mkdir -p "$out/rootfs"
cp -a "$(buildah mount "$ctr")/." "$out/rootfs/"
buildah umount "$ctr" >/dev/null
buildah rmi "$image" >/dev/null
buildah rm "$ctr" >/dev/null
trap - EXIT
rm -rf "$out/storage" "$out/run"

layers=$(du -cb "$out"/oci/blobs/sha256/* | tail -1 | cut -f1)
echo "image: binary $(stat -c %s "$bin") bytes; OCI layout (gzip layers, config, manifest) $layers bytes"
start=$(date +%s%N)
for _ in $(seq 50); do chroot "$out/rootfs" /usr/local/bin/benchgate --version >/dev/null; done
end=$(date +%s%N)
awk -v ns=$((end - start)) 'BEGIN { printf "image: entrypoint start (chroot + benchgate --version), mean of 50 runs: %.2f ms\n", ns / 50 / 1e6 }'

BENCHGATE_IMAGE_ROOTFS="$(realpath "$out/rootfs")" cargo test --locked --test image -- --ignored --nocapture
