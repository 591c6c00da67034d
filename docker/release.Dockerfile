# Release image: packages the musl binaries built by the release workflow (dist/benchgate-<arch>)
# so the multi-arch image needs no compilation under emulation. Root user on purpose: see the
# main Dockerfile.
FROM alpine:3.22
ARG TARGETARCH
RUN apk add --no-cache ca-certificates git \
 && git config --system --add safe.directory '*'
COPY dist/benchgate-${TARGETARCH} /usr/local/bin/benchgate
ENTRYPOINT ["/usr/local/bin/benchgate"]
CMD ["--help"]
