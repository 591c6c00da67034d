# Release image: packages the musl binaries built by the release workflow (dist/benchgate-<arch>)
# so the multi-arch image needs no compilation under emulation. Root user on purpose, the
# base image pinned by digest and git's ownership check left on: see the main Dockerfile.
FROM alpine:3.22.2@sha256:4b7ce07002c69e8f3d704a9c5d6fd3053be500b7f1c69fc0d80990c2ad8dd412
ARG TARGETARCH
# git serves `baseline: git`; ca-certificates verifies the GitHub and LLM endpoints.
RUN apk add --no-cache ca-certificates git
COPY dist/benchgate-${TARGETARCH} /usr/local/bin/benchgate
ENTRYPOINT ["/usr/local/bin/benchgate"]
CMD ["--help"]
