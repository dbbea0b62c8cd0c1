#!/usr/bin/env bash
# Signed outputs (issue 19): sis-provision verify --keyring on an output directory made by hand in
# the format manifest_write() writes (manifest.json, then SHA256SUMS listing the outputs and
# manifest.json), signed by gpg with throwaway ed25519 keys: a good signature passes and names
# the signer; a changed output, a changed manifest, a changed SHA256SUMS, an untrusted signer and
# a missing signature are each refused with exit status 1 naming the file; --sign refuses a key
# that cannot sign before anything is built.
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SIS_ROOT" || exit 1
bin=$SIS_ROOT/build/sis-provision

command -v gpg > /dev/null || { skip "$SIS_TEST" "needs gpg"; finish; }

export GNUPGHOME=$tmp/gnupg
mkdir -m 700 "$GNUPGHOME"
on_exit "gpgconf --homedir '$GNUPGHOME' --kill all 2> /dev/null"
for who in a b; do
        gpg --batch --quiet --passphrase '' --quick-gen-key "Signer $who (sis-test) <$who@example.org>" ed25519 sign never 2> /dev/null ||
                { notok "gpg --quick-gen-key"; finish; }
done
fpr() { gpg --batch --with-colons --list-keys "$1" 2> /dev/null | awk -F: '$1 == "fpr" { print $10; exit }'; }
fa=$(fpr '<a@example.org>')
fb=$(fpr '<b@example.org>')
gpg --batch --export "$fa" > "$tmp/a.gpg"
gpg --batch --armor --export "$fa" "$fb" > "$tmp/ab.asc"

# an output directory as sis-provision kernel publishes it
d=$tmp/kernel
mkdir "$d"
head -c 4096 /dev/urandom > "$d/vmlinux"
head -c 2048 /dev/urandom > "$d/bzImage"
printf 'CONFIG_SIS=y\n' > "$d/config"
entry() { printf '"%s": { "sha256": "%s", "size": %s }' "$1" "$(sha256sum "$d/$1" | cut -d' ' -f1)" "$(stat -c %s "$d/$1")"; }
printf '{\n  "manifest_version": 1,\n  "tool": "sis-provision",\n  "kind": "kernel",\n  "outputs": { %s, %s, %s }\n}\n' \
        "$(entry vmlinux)" "$(entry bzImage)" "$(entry config)" > "$d/manifest.json"
(cd "$d" && sha256sum vmlinux bzImage config manifest.json > SHA256SUMS)
gpg --batch --armor --detach-sign --local-user "$fa" --output "$d/SHA256SUMS.asc" "$d/SHA256SUMS" 2> /dev/null ||
        { notok "gpg --detach-sign"; finish; }

fresh() { # NAME: a copy of the signed directory
        rm -rf "${tmp:?}/$1"
        cp -a "$d" "$tmp/$1"
        echo "$tmp/$1"
}

expect "verify: a signed directory, any key of the keyring" 0 "signed by $fa" "$bin" verify "$d" --keyring "$tmp/a.gpg"
expect "verify: a signed directory, a trusted key (lower case)" 0 "every output matches manifest.json and SHA256SUMS, signed by $fa" \
        "$bin" verify "$d" --keyring "$tmp/ab.asc" --trusted "$fb,${fa,,}"
expect "verify: unsigned checking still works" 0 "every output matches" "$bin" verify "$d"

x=$(fresh flipped)
printf '\001' | dd of="$x/bzImage" bs=1 seek=100 conv=notrunc status=none
expect "verify: a changed output is refused, naming it" 1 "$x/bzImage: sha256 .* does not match" \
        "$bin" verify "$x" --keyring "$tmp/a.gpg"

x=$(fresh manifest)
sed -i 's/"kind": "kernel"/"kind": "rootfs"/' "$x/manifest.json"
expect "verify: a changed manifest.json is refused, naming it" 1 "$x/manifest.json: sha256 .* does not match SHA256SUMS" \
        "$bin" verify "$x" --keyring "$tmp/a.gpg" --trusted "$fa"

x=$(fresh resummed)
printf '\001' | dd of="$x/config" bs=1 seek=0 conv=notrunc status=none
(cd "$x" && sha256sum vmlinux bzImage config manifest.json > SHA256SUMS)
expect "verify: a SHA256SUMS changed after signing is refused (BAD signature)" 1 "$x/SHA256SUMS.asc: BAD signature" \
        "$bin" verify "$x" --keyring "$tmp/a.gpg"

x=$(fresh untrusted)
gpg --batch --yes --armor --detach-sign --local-user "$fb" --output "$x/SHA256SUMS.asc" "$x/SHA256SUMS" 2> /dev/null
expect "verify: a signature by an untrusted key is refused (--trusted)" 1 "$x/SHA256SUMS.asc: signed by $fb, which is not a trusted key" \
        "$bin" verify "$x" --keyring "$tmp/ab.asc" --trusted "$fa"
expect "verify: a signature by a key not in the keyring is refused" 1 "$x/SHA256SUMS.asc: signed by .*not in the keyring" \
        "$bin" verify "$x" --keyring "$tmp/a.gpg"

x=$(fresh unsigned)
rm "$x/SHA256SUMS.asc"
expect "verify: a missing SHA256SUMS.asc is refused with --keyring" 1 "$x/SHA256SUMS.asc: missing" \
        "$bin" verify "$x" --keyring "$tmp/a.gpg"
echo 'not a signature' > "$x/SHA256SUMS.asc"
expect "verify: garbage in SHA256SUMS.asc is refused" 1 "$x/SHA256SUMS.asc: not an OpenPGP signature" \
        "$bin" verify "$x" --keyring "$tmp/a.gpg"

x=$(fresh extra)
printf 'extra' > "$x/extra"
(cd "$x" && sha256sum extra >> SHA256SUMS)
expect "verify: SHA256SUMS listing a file the manifest does not is refused" 1 "$x/SHA256SUMS lists extra, which manifest.json does not" \
        "$bin" verify "$x"
x=$(fresh short)
(cd "$x" && sha256sum vmlinux config manifest.json > SHA256SUMS)
expect "verify: SHA256SUMS missing an output is refused" 1 "$x/SHA256SUMS does not list bzImage" "$bin" verify "$x"

# the files gpg and sha256sum see are the same as ours
check "gpg --verify agrees" gpg --batch --verify "$d/SHA256SUMS.asc" "$d/SHA256SUMS"
check "sha256sum -c agrees" sh -c "cd '$d' && sha256sum --quiet -c SHA256SUMS"

# usage and unreadable inputs: exit 2
expect "verify: --trusted needs --keyring" 2 "--trusted goes with --keyring" "$bin" verify "$d" --trusted "$fa"
expect "verify: --trusted takes fingerprints" 2 "not a fingerprint" "$bin" verify "$d" --keyring "$tmp/a.gpg" --trusted 1234
expect "verify: an unreadable keyring" 2 "keyring $tmp/nonexistent.gpg" "$bin" verify "$d" --keyring "$tmp/nonexistent.gpg"
expect "verify: a keyring with no key" 2 "no OpenPGP public key" "$bin" verify "$d" --keyring "$d/config"
expect "--keyring goes with verify" 2 "go with verify" "$bin" disk --home --size 1M --owner 1:1 --keyring "$tmp/a.gpg"
expect "--sign does not go with disk" 2 "--sign goes with kernel or rootfs" "$bin" disk --home --size 1M --owner 1:1 --sign "$fa"
expect "--sign does not go with --check-config" 2 "--sign goes with kernel or rootfs" \
        "$bin" kernel --check-config tests/data/firecracker-ci-x86_64-6.1.config --profile sis-guest --sign "$fa"
expect "--sign: a key without its secret key is refused before the build" 2 "only the public key" \
        env GNUPGHOME="$tmp/pubonly" sh -c "mkdir -m 700 \"\$GNUPGHOME\" && gpg --batch --quiet --import '$tmp/a.gpg' 2> /dev/null &&
                exec '$bin' kernel --source /nonexistent.tar.xz --profile sis-guest --out '$tmp/k' --sign '$fa'"
expect "--sign: an ambiguous user id is refused before the build" 2 "ambiguous" \
        "$bin" kernel --source /nonexistent.tar.xz --profile sis-guest --out "$tmp/k" --sign sis-test
[ ! -e "$tmp/k" ] && ok "--sign: nothing published after a refused key" || notok "--sign: $tmp/k was published"
gpgconf --homedir "$tmp/pubonly" --kill all 2> /dev/null
finish
