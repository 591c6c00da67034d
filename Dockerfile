# benchgate container image: a static musl binary on Alpine.
#
# Build:  docker build -t benchgate .
# Run:    docker run --rm -v "$PWD:/work" -w /work benchgate compare --base base --head head
#
# The image deliberately keeps the default root user: GitHub runs container actions as root
# and mounts the workspace and the file-command files (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY)
# owned by the runner's user, so a non-root user in the image could not write them.
#
# Base images are pinned by digest (the tag is kept for readers and update bots): a tag can
# be moved, a digest cannot. To move a pin, look the digest up with
# `docker buildx imagetools inspect <image>:<tag>` and change tag and digest together.
# git's ownership check stays on: benchgate passes `safe.directory` for the workspace alone
# on each git command it runs.

FROM rust:1-alpine@sha256:a10e64dd139b7387337c7fbe8aca31b959b57b2fd4c8ae20a02cf1d6ea424dce AS build
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY templates ./templates
# `benchgate demo` embeds an example pair.
COPY examples/chimeraforge/pairs/tr115_chimera_homo_v1_vs_v2 ./examples/chimeraforge/pairs/tr115_chimera_homo_v1_vs_v2
COPY benches ./benches
RUN cargo build --release --locked --bin benchgate \
 && install -m 0755 target/release/benchgate /usr/local/bin/benchgate \
 && /usr/local/bin/benchgate --version

FROM alpine:3.22.2@sha256:4b7ce07002c69e8f3d704a9c5d6fd3053be500b7f1c69fc0d80990c2ad8dd412
# git serves `baseline: git`; ca-certificates verifies the GitHub and LLM endpoints.
RUN apk add --no-cache ca-certificates git
COPY --from=build /usr/local/bin/benchgate /usr/local/bin/benchgate
ENTRYPOINT ["/usr/local/bin/benchgate"]
CMD ["--help"]
