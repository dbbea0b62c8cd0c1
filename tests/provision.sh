#!/usr/bin/env bash
# sis-provision's input handling, fast (no kernel build): wrong sha256, corrupt tarball, a full
# disk during unpack, conflicting fragments, a typo'd profile, --check-config, and verify.
# Prints "ok NAME" / "not ok NAME".
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SIS_ROOT" || exit 1
bin=build/sis-provision

# a small source tarball (not a kernel: these tests stop before configuring)
mkdir -p "$tmp/src/linux-x/sub"
for i in $(seq 40); do head -c 4096 /dev/urandom > "$tmp/src/linux-x/sub/f$i"; done
tar -C "$tmp/src" -cJf "$tmp/linux-x.tar.xz" linux-x
good=$(sha256sum "$tmp/linux-x.tar.xz" | cut -d' ' -f1)
bad=$(printf '%064d' 0)

expect "wrong sha256" 2 "sha256 $good, expected $bad" \
        "$bin" kernel --source "$tmp/linux-x.tar.xz" --sha256 "$bad" --profile sis-guest --cache "$tmp/c1" --out "$tmp/o1"
[ ! -e "$tmp/c1/src" ] && [ ! -e "$tmp/o1" ] && ok "nothing unpacked or written on a wrong sha256" || notok "wrong sha256 left files"
expect "malformed --sha256" 2 "not 64 hex digits" "$bin" kernel --source "$tmp/linux-x.tar.xz" --sha256 xyz --profile sis-guest

head -c 30000 "$tmp/linux-x.tar.xz" > "$tmp/corrupt.tar.xz"
expect "corrupt tarball" 2 "cannot unpack" \
        "$bin" kernel --source "$tmp/corrupt.tar.xz" --profile sis-guest --cache "$tmp/c2" --out "$tmp/o2"
[ -z "$(ls -A "$tmp/c2/src" 2> /dev/null)" ] && ok "a corrupt tarball leaves no half-unpacked tree" || notok "corrupt tarball left $(ls "$tmp/c2/src")"

# a full disk during unpack, simulated with a file-size limit (RLIMIT_FSIZE): EFBIG, not a crash
expect "disk full during unpack" 2 "cannot unpack" \
        bash -c "ulimit -f 2; exec $bin kernel --source $tmp/linux-x.tar.xz --profile sis-guest --cache $tmp/c3 --out $tmp/o3"
[ -z "$(ls -A "$tmp/c3/src" 2> /dev/null)" ] && ok "a full disk leaves no half-unpacked tree" || notok "full disk left $(ls "$tmp/c3/src")"

# fetching over https (a server on 127.0.0.1 with a throwaway certificate, trusted via
# SIS_CA_FILE): sha256 required and checked, https only, a stale partial download started over
if ! command -v openssl > /dev/null || ! command -v gpg > /dev/null; then
        skip "https downloads, kernel.org's signed sums" "needs openssl and gpg"
else
        openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -days 1 \
                -keyout "$tmp/key.pem" -out "$tmp/cert.pem" > /dev/null 2>&1
        # a random port, tried again when the server cannot have it (it exits: the port is taken)
        srv_up() { ! kill -0 "$srv" 2> /dev/null || (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; }
        for _ in 1 2 3 4 5; do
                port=$((20000 + RANDOM % 20000))
                (cd "$tmp" && exec openssl s_server -WWW -quiet -accept "127.0.0.1:$port" -cert cert.pem -key key.pem) > /dev/null 2>&1 &
                srv=$!
                on_exit "kill $srv 2>/dev/null"
                wait_until 10 srv_up
                kill -0 "$srv" 2> /dev/null && break
        done
        url="https://127.0.0.1:$port/linux-x.tar.xz"
        mkdir -p "$tmp/c5/downloads"
        head -c 1000 /dev/urandom > "$tmp/c5/downloads/$good.part" # a stale partial download
        SIS_CA_FILE="$tmp/cert.pem" "$bin" kernel --source "$url" --sha256 "$good" --profile sis-guest --cache "$tmp/c5" \
                --out "$tmp/o5" > /dev/null 2> "$tmp/err"
        [ "$(sha256sum "$tmp/c5/downloads/$good" 2> /dev/null | cut -d' ' -f1)" = "$good" ] && grep -q "downloading $url" "$tmp/err" &&
                ok "an https download lands verified in the cache (a stale partial restarted)" ||
                notok "https download" "$(head -5 "$tmp/err")"
        [ ! -e "$tmp/c5/downloads/$good.part" ] && ok "no partial file is left" || notok "a partial file is left"
        expect "a URL with the wrong sha256" 2 "expected $bad" env SIS_CA_FILE="$tmp/cert.pem" \
                "$bin" kernel --source "$url" --sha256 "$bad" --profile sis-guest --cache "$tmp/c6" --out "$tmp/o6"
        [ -z "$(ls -A "$tmp/c6/downloads" 2> /dev/null)" ] && ok "a bad download is not kept" || notok "a bad download was kept"
        # kernel.org's signed sha256sums.asc, with a throwaway signing key (SIS_KERNEL_ORG points the
        # kernel.org rules at the test server)
        export GNUPGHOME="$tmp/gnupg"
        mkdir -m 700 "$GNUPGHOME"
        on_exit "GNUPGHOME='$GNUPGHOME' gpgconf --kill gpg-agent 2>/dev/null"
        gpg --batch --passphrase '' --quick-gen-key 'sis test <test@example.invalid>' ed25519 sign 1d > /dev/null 2>&1
        mkdir -p "$tmp/www/pub/v1" "$tmp/www/pub/v2" "$tmp/www/pub/v3"
        for v in v1 v2 v3; do cp "$tmp/linux-x.tar.xz" "$tmp/www/pub/$v/"; done
        echo "$good  linux-x.tar.xz" | gpg --batch --clearsign > "$tmp/www/pub/v1/sha256sums.asc" 2> /dev/null
        echo "$bad  linux-x.tar.xz" | gpg --batch --clearsign > "$tmp/www/pub/v2/sha256sums.asc" 2> /dev/null
        sed "s/$good/$bad/" "$tmp/www/pub/v1/sha256sums.asc" > "$tmp/www/pub/v3/sha256sums.asc" # altered after signing
        export SIS_KERNEL_ORG="https://127.0.0.1:$port/www/pub/" SIS_CA_FILE="$tmp/cert.pem"
        expect "kernel.org sums: good signature" 2 "listed in .*\(good signature\)" \
                "$bin" kernel --source "https://127.0.0.1:$port/www/pub/v1/linux-x.tar.xz" --sha256 "$good" --profile sis-guest --cache "$tmp/g1" --out "$tmp/og1"
        [ -f "$tmp/g1/downloads/$good" ] && ok "a signed, listed tarball is downloaded" || notok "signed tarball not downloaded"
        expect "kernel.org sums: our hash not listed" 2 "does not list linux-x.tar.xz with sha256 $good" \
                "$bin" kernel --source "https://127.0.0.1:$port/www/pub/v2/linux-x.tar.xz" --sha256 "$good" --profile sis-guest --cache "$tmp/g2"
        expect "kernel.org sums: bad signature" 2 "BAD signature" \
                "$bin" kernel --source "https://127.0.0.1:$port/www/pub/v3/linux-x.tar.xz" --sha256 "$bad" --profile sis-guest --cache "$tmp/g3"
        [ ! -e "$tmp/g2/downloads/$good" ] && [ ! -e "$tmp/g3/downloads/$bad" ] && ok "nothing is downloaded when the sums fail" ||
                notok "a tarball was downloaded despite bad sums"
        mkdir -m 700 "$tmp/emptygpg"
        expect "kernel.org sums: key not in the keyring" 2 "not in the keyring; signature not checked" env GNUPGHOME="$tmp/emptygpg" \
                "$bin" kernel --source "https://127.0.0.1:$port/www/pub/v1/linux-x.tar.xz" --sha256 "$good" --profile sis-guest --cache "$tmp/g4"
        gpgconf --kill gpg-agent 2> /dev/null
        unset GNUPGHOME SIS_KERNEL_ORG SIS_CA_FILE
        expect "an untrusted certificate" 2 "certificate" \
                "$bin" kernel --source "$url" --sha256 "$good" --profile sis-guest --cache "$tmp/c7" --out "$tmp/o7"
fi
expect "a URL needs --sha256" 2 "needs --sha256" "$bin" kernel --source https://example.invalid/x.tar.xz --profile sis-guest --cache "$tmp/c8"
expect "http is refused" 2 "only https://" "$bin" kernel --source http://example.invalid/x.tar.xz --sha256 "$good" --profile sis-guest --cache "$tmp/c8"

# fragments: conflicting values, a bad line, an unknown profile
mkdir -p "$tmp/cfg/profiles"
printf 'CONFIG_TUN=y # one\n' > "$tmp/cfg/a.conf"
printf 'CONFIG_TUN=n # another\n' > "$tmp/cfg/b.conf"
printf 'CONFIG_TUN y\n' > "$tmp/cfg/broken.conf"
printf 'a\nb\n' > "$tmp/cfg/profiles/conflict"
printf 'broken\n' > "$tmp/cfg/profiles/broken"
expect "conflicting fragments" 2 "a.conf:1 asks y, but .*b.conf:1 asks n" \
        "$bin" kernel --source "$tmp/linux-x.tar.xz" --configs "$tmp/cfg" --profile conflict --cache "$tmp/c4"
expect "a malformed fragment line" 2 "broken.conf:1: expected CONFIG_NAME=value" \
        "$bin" kernel --source "$tmp/linux-x.tar.xz" --configs "$tmp/cfg" --profile broken --cache "$tmp/c4"
expect "unknown profile" 2 "profiles/nope" "$bin" kernel --source "$tmp/linux-x.tar.xz" --profile nope
expect "missing source" 2 "--source /nonexistent.tar.xz" "$bin" kernel --source /nonexistent.tar.xz --profile sis-guest
expect "no verb" 2 "no verb" "$bin"
expect "bad jobs" 2 "--jobs" "$bin" kernel --jobs 0 --profile sis-guest --source x

# --check-config: Firecracker's CI option list lacks TUN and NFT_MASQ
expect "check-config flags TUN" 1 "CONFIG_TUN=y \(has n\)" \
        "$bin" kernel --check-config tests/data/firecracker-ci-x86_64-6.1.config --profile sis-guest
grep -q "CONFIG_NFT_MASQ=y (has n): masquerade" "$tmp/out" && ok "check-config flags NFT_MASQ, with the reason" || notok "check-config NFT_MASQ"
expect "check-config on garbage" 2 "not a kernel .config" "$bin" kernel --check-config /etc/hostname --profile sis-guest

# verify: a manifest and its outputs; one flipped byte is caught
mkdir -p "$tmp/v"
printf 'kernel' > "$tmp/v/vmlinux"
h=$(sha256sum "$tmp/v/vmlinux" | cut -d' ' -f1)
printf '{"manifest_version":1,"outputs":{"vmlinux":{"sha256":"%s","size":6}}}\n' "$h" > "$tmp/v/manifest.json"
expect "verify a good tree" 0 "every output matches" "$bin" verify "$tmp/v"
printf 'kerneL' > "$tmp/v/vmlinux"
expect "verify a tampered output" 1 "does not match" "$bin" verify "$tmp/v"
expect "verify without a manifest" 2 "no readable manifest" "$bin" verify "$tmp"
finish
