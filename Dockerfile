# benchgate container image: a static musl binary on Alpine.
#
# Build:  docker build -t benchgate .
# Run:    docker run --rm -v "$PWD:/work" -w /work benchgate compare --base base --head head
#
# The image deliberately keeps the default root user: GitHub runs container actions as root
# and mounts the workspace and the file-command files (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY)
# owned by the runner's user, so a non-root user in the image could not write them.

FROM rust:1-alpine AS build
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

FROM alpine:3.22
# git serves `baseline: git`; ca-certificates verifies the GitHub and LLM endpoints.
RUN apk add --no-cache ca-certificates git \
 && git config --system --add safe.directory '*'
COPY --from=build /usr/local/bin/benchgate /usr/local/bin/benchgate
ENTRYPOINT ["/usr/local/bin/benchgate"]
CMD ["--help"]
