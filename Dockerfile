# syntax=docker/dockerfile:1
# Argus as a Home Assistant add-on. Two stages: the builder compiles the TypeScript and converts
# the models; the add-on image gets only what runs (dist/, production node_modules, models/).
#
# The add-on base (Alpine, s6-overlay, bashio) uses musl, but onnxruntime-node ships glibc-only
# binaries. So Node and every native module are built in a glibc (Debian) builder, and the
# add-on image carries that Node with the few glibc libraries it and its modules link to, in
# /opt/glibc (its own loader, found through the binary's interpreter and rpath, never
# LD_LIBRARY_PATH, so the musl ffmpeg and shell stay untouched).

FROM node:20-bookworm-slim AS builder
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ patchelf \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# .npmrc keeps onnxruntime-node from fetching GPU binaries during npm ci.
COPY package.json package-lock.json .npmrc tsconfig.json ./
COPY src ./src
COPY models ./models
# `npm ci` runs `prepare`, which compiles src/ to dist/.
RUN npm ci --no-audit --no-fund
RUN node dist/cli.js models build
RUN npm prune --omit=dev --no-audit --no-fund
# Node plus the glibc libraries Node and the native modules need (not the modules' own libs).
RUN set -eux; \
    mkdir -p /opt/glibc/lib; \
    cp /usr/local/bin/node /opt/glibc/node; \
    find /usr/local/bin/node node_modules -type f \( -name '*.node' -o -name '*.so*' -o -name node \) -print0 \
      | xargs -0 -n1 sh -c 'ldd "$0" 2>/dev/null || true' \
      | awk '$2 == "=>" && $3 ~ /^\// && $3 !~ /^\/app\// { print $3 } $1 ~ /^\/.*ld-linux/ { print $1 }' \
      | sort -u | xargs -r -I{} cp -L {} /opt/glibc/lib/; \
    loader="$(ls /opt/glibc/lib/ld-linux-*)"; \
    patchelf --set-interpreter "$loader" --force-rpath --set-rpath /opt/glibc/lib /opt/glibc/node

FROM ghcr.io/home-assistant/base:latest
# ffmpeg from the base image's own packages (Alpine), with its hardware decoders.
RUN apk add --no-cache ffmpeg
WORKDIR /app
COPY --from=builder /opt/glibc /opt/glibc
COPY --from=builder /app/package.json ./package.json
COPY --from=builder /app/dist ./dist
COPY --from=builder /app/node_modules ./node_modules
COPY --from=builder /app/models ./models
COPY addon/run.sh /run.sh
# Fail the build, not the user's start-up, if Node or a native module cannot load here.
RUN chmod a+x /run.sh \
 && ln -s /opt/glibc/node /usr/local/bin/node \
 && node -e "require('onnxruntime-node'); require('better-sqlite3'); require('sharp')" \
 && ffmpeg -hide_banner -version | head -1
ENV ARGUS_BIN="node /app/dist/cli.js" \
    NODE_ENV=production
CMD ["/run.sh"]

LABEL io.hass.type="addon" \
      io.hass.name="Argus" \
      io.hass.description="Weapon, face and pose detection for the cameras you already have" \
      org.opencontainers.image.title="Argus" \
      org.opencontainers.image.source="https://github.com/argus-cctv/argus" \
      org.opencontainers.image.licenses="MIT"
