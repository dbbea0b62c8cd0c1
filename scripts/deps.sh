#!/usr/bin/env bash
# Installs the Debian packages sis needs, when they are missing: as root with apt-get, otherwise
# prints the exact command and fails. Usage: scripts/deps.sh build|test|fuzz|bench|kernel|rootfs|e2e
# Images need e2fsprogs >= 1.47.1 (mke2fs -d from a tar stream, reproducible): Debian 12 has
# 1.47.0, bookworm-backports 1.47.2, which test and rootfs install (adding the backports source).
# test, kernel and rootfs also install the CycloneDX validator of the SBOM tests from the npm
# registry (npm ci, the versions pinned by tests/sbom/package-lock.json) into build/sbom-npm,
# never into the repository.
set -euo pipefail
cd "$(dirname "$0")/.."

build=(gcc make pkg-config libc6-dev libkmod-dev libkmod2 libudev-dev libpci-dev libjson-c-dev
       libarchive-dev libarchive13 zlib1g-dev libacl1-dev libssl-dev libcurl4-openssl-dev libgpgme-dev
       libnftables-dev libnftnl-dev libmnl-dev libnetfilter-log-dev libnl-3-dev libnl-route-3-dev libcap-dev
       libseccomp-dev libcryptsetup-dev)
test=(libcmocka-dev valgrind strace util-linux kmod man-db libxml2-utils prometheus prometheus-node-exporter curl chromium
      busybox-static gnupg cryptsetup-bin python3 python3-yaml python3-jsonschema python3-html5lib iproute2 nftables ethtool iputils-ping shellcheck clang-format)
rootfs=(mmdebstrap uidmap busybox-static gnupg cryptsetup-bin erofs-utils)
fuzz=(clang libclang-rt-14-dev libxml2-dev)
bench=(hyperfine time spectre-meltdown-checker)
kernel=(linux-source-6.1 bc bison flex libelf-dev libssl-dev cpio file busybox-static qemu-system-x86 xz-utils)

want=("${build[@]}")
case "${1:-build}" in
build) ;;
test)
        want+=("${test[@]}")
        # Node.js and npm for the CycloneDX validator: Debian's, unless some other Node.js is here
        command -v node > /dev/null && command -v npm > /dev/null || want+=(nodejs npm) ;;
fuzz) want+=("${fuzz[@]}") ;;
bench) want+=("${bench[@]}") ;;
kernel)
        want+=("${kernel[@]}")
        command -v node > /dev/null && command -v npm > /dev/null || want+=(nodejs npm) ;;
rootfs)
        want+=("${rootfs[@]}")
        command -v node > /dev/null && command -v npm > /dev/null || want+=(nodejs npm) ;;
e2e) want+=("${kernel[@]}" "${rootfs[@]}" python3 iproute2 nftables util-linux e2fsprogs) ;;
*) echo "usage: $0 build|test|fuzz|bench|kernel|rootfs|e2e" >&2; exit 2 ;;
esac

# e2fsprogs from bookworm-backports when the installed one is older than 1.47.1
need_e2fs=
case "${1:-build}" in
test|rootfs|bench|e2e)
        v=$(dpkg-query -W -f='${Version}' e2fsprogs 2>/dev/null || echo 0)
        dpkg --compare-versions "$v" ge 1.47.1 || need_e2fs=1 ;;
esac
if [ -n "$need_e2fs" ]; then
        if [ "$(id -u)" -ne 0 ]; then
                echo "sis: e2fsprogs $v is older than 1.47.1; as root, add bookworm-backports and run:" \
                        "apt-get install -t bookworm-backports e2fsprogs" >&2
                exit 1
        fi
        if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
                echo "sis: adding bookworm-backports to /etc/apt/sources.list.d/sis-backports.sources" >&2
                printf '%s\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' 'Suites: bookworm-backports' \
                        'Components: main' 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' \
                        > /etc/apt/sources.list.d/sis-backports.sources
        fi
        echo "sis: installing e2fsprogs from bookworm-backports" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -t bookworm-backports e2fsprogs
fi

missing=()
for p in "${want[@]}"; do
        [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
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
fi

# The SBOM tests' CycloneDX consumer (tests/sbom.sh, tests/rootfs.sh, make rootfs-check and
# kernel-check): @cyclonedx/cyclonedx-library with the ajv its
# JSON validator needs, exactly as locked, in build/sbom-npm (gitignored). Again only when the lock
# changed or the install is missing; any user may run it (nothing outside build/ is written).
if [ "${1:-build}" = test ] || [ "${1:-build}" = rootfs ] || [ "${1:-build}" = kernel ]; then
        npm_dir=build/sbom-npm
        if ! cmp -s tests/sbom/package-lock.json "$npm_dir/package-lock.json" ||
                [ ! -f "$npm_dir/node_modules/@cyclonedx/cyclonedx-library/package.json" ]; then
                echo "sis: installing the CycloneDX validator into $npm_dir (npm ci)" >&2
                rm -rf "$npm_dir"
                mkdir -p "$npm_dir"
                cp tests/sbom/package.json tests/sbom/package-lock.json "$npm_dir/"
                (cd "$npm_dir" && npm ci --no-audit --no-fund --loglevel=error)
        fi
fi
