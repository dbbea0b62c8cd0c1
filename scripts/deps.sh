#!/usr/bin/env bash
# Installs the Debian packages sis needs, when they are missing: as root with apt-get, otherwise
# prints the exact command and fails. Usage: scripts/deps.sh build|test|fuzz|bench|kernel
set -euo pipefail

build=(gcc make pkg-config libc6-dev libkmod-dev libkmod2 libudev-dev libpci-dev libjson-c-dev
       libarchive-dev libarchive13 zlib1g-dev libacl1-dev libssl-dev libcurl4-openssl-dev libgpgme-dev)
test=(libcmocka-dev valgrind strace util-linux kmod man-db libxml2-utils prometheus prometheus-node-exporter curl chromium)
fuzz=(clang libclang-rt-14-dev)
bench=(hyperfine time spectre-meltdown-checker)
kernel=(linux-source-6.1 bc bison flex libelf-dev libssl-dev cpio file busybox-static qemu-system-x86 xz-utils)

want=("${build[@]}")
case "${1:-build}" in
build) ;;
test) want+=("${test[@]}") ;;
fuzz) want+=("${fuzz[@]}") ;;
bench) want+=("${bench[@]}") ;;
kernel) want+=("${kernel[@]}") ;;
*) echo "usage: $0 build|test|fuzz|bench|kernel" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
        echo "sis: missing Debian packages; as root, run: $cmd" >&2
        exit 1
fi
echo "sis: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet: fetch them once if the install cannot find a package.
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
