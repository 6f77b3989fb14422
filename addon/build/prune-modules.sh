#!/bin/sh
# Removes from production node_modules what cannot run on this image: onnxruntime-node's binaries
# for other systems and CPUs (~220 MB of darwin/win32/other-arch), and better-sqlite3's sources and
# intermediate build files once its addon is compiled.
# Run by the Dockerfile and, in a chroot, by test/addon/rootfs.test.ts.
#
# Usage: prune-modules.sh <node_modules dir>; env TARGETARCH (amd64 | arm64).
set -eu

modules="$1"
case "${TARGETARCH:-}" in
  amd64) arch=x64 ;;
  arm64) arch=arm64 ;;
  *) echo "prune-modules: TARGETARCH must be amd64 or arm64, got '${TARGETARCH:-}'" >&2; exit 1 ;;
esac

ort="${modules}/onnxruntime-node/bin"
[ -d "${ort}" ] || { echo "prune-modules: ${ort} is missing" >&2; exit 1; }
for napi in "${ort}"/napi-v*; do
  for platform in "${napi}"/*; do
    for cpu in "${platform}"/*; do
      [ "${platform##*/}/${cpu##*/}" = "linux/${arch}" ] || rm -rf "${cpu}"
    done
    [ "${platform##*/}" = linux ] || rm -rf "${platform}"
  done
done
ls "${ort}"/napi-v*/linux/"${arch}"/*.node >/dev/null || { echo "prune-modules: no onnxruntime-node binding for linux/${arch}" >&2; exit 1; }

sqlite="${modules}/better-sqlite3"
[ -f "${sqlite}/build/Release/better_sqlite3.node" ] || { echo "prune-modules: better-sqlite3 is not compiled" >&2; exit 1; }
rm -rf "${sqlite}/deps" "${sqlite}/src" "${sqlite}/build/Release/obj" "${sqlite}/build/Release/obj.target" \
  "${sqlite}/build/Release/.deps" "${sqlite}/build/Release/test_extension.node" "${sqlite}/build/deps"
find "${sqlite}/build" -name '*.a' -delete
