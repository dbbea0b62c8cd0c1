#!/usr/bin/env bash
# sis-launch against a stand-in jailer and a recording Firecracker API server (root only).
#
# Firecracker and its jailer are not in Debian and cannot be downloaded here, so the test gives
# sis-launch a jailer of its own: it records its argv, environment and speculation state, then
# starts tests/launch/fc-server.py on <chroot>/run/firecracker.socket as "the VMM". Everything
# sis-launch sends is validated against Firecracker's own swagger (../shared/reference, or
# tests/launch/firecracker-api.yaml) by tests/launch/validate.py.
# Prints "ok NAME" / "not ok NAME".
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_root "jails, tmpfs mounts, chown"
cd "$SIS_ROOT" || exit 1
lock_host
bin=$PWD/build/sis-launch
audit=$PWD/build/sis-audit
spec=$PWD/tests/launch/firecracker-api.yaml
run=$tmp/run
jail=$tmp/jail
# sis-launch's host-wide registry (launch/registry.h): a VM's entry holds its uid (the lease)
reg=/run/sis/registry
reg_uid() { /usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["uid"])' "$reg/$1.json" 2> /dev/null; }
cleanup() {
        for d in "$run"/vms/*/; do [ -d "$d" ] && "$bin" clean --run-dir "$run" --chroot-base "$jail" "$(basename "$d")" > /dev/null 2>&1; done
        pkill -f "fc-server.py --socket $jail" 2> /dev/null
        grep -o " ${jail}[^ ]*" /proc/mounts | while read -r m; do umount -l "$m"; done
}
on_exit cleanup

# --- inputs: a kernel and a rootfs (any files: nothing boots here), a sparse home template ------
mkdir -p "$tmp/img"
fake_kernel "$tmp/img/vmlinux" 6.1.0-sis
fake_kernel "$tmp/img/vmlinux-5.10" 5.10.0-old
head -c 2M /dev/urandom > "$tmp/img/rootfs.ext4"
truncate -s 64M "$tmp/img/home.ext4"
printf 'home' | dd of="$tmp/img/home.ext4" bs=1 seek=1024 conv=notrunc 2> /dev/null

# --- the stand-in jailer and Firecracker (tests/lib.sh) ----------------------------------------------
standin_vmm "$tmp"
L=(--run-dir "$run" --chroot-base "$jail" --uid-range 20000-20009 --jailer "$tmp/jailer" --firecracker "$tmp/firecracker")
# --net none here: the network is tested below, only inside namespaces this test makes
R=(--kernel "$tmp/img/vmlinux" --rootfs "$tmp/img/rootfs.ext4" --home "$tmp/img/home.ext4" --vcpus 2 --mem 256 --net none)

# --- the gate ------------------------------------------------------------------------------------
# a development policy that waives exactly what fails on this host, recorded with the VM
dev_policy "$tmp" "$jail" 20000-20009
audit_rc=$?
if [ "$audit_rc" = 1 ]; then
        expect "gate: refuses under the production profile, naming the failing checks" 1 "refusing to start vm1: this host fails the audit" \
                "$bin" run --name vm1 "${R[@]}" "${L[@]}"
        first=$(/usr/bin/python3 -c "import json; print(json.load(open('$tmp/dev-policy.json'))['waivers'][0]['check'])")
        grep -q "^  $first: FAIL" "$tmp/err" && ok "gate: the refusal lists $first" || notok "gate: failing checks not listed"
        [ ! -e "$jail/firecracker" ] && [ ! -e "$reg/vm1.json" ] && ok "gate: a refusal touches nothing" || notok "gate: a refusal left files"
else
        ok "gate: this host passes the production audit (refusal not testable here)"
fi
expect "gate: a development policy waiving them proceeds (--dry-run)" 0 "the audit passes \(development profile, policy $tmp/dev-policy.json" \
        "$bin" run --name vm1 "${R[@]}" "${L[@]}" --policy "$tmp/dev-policy.json" --dry-run
grep -q "^$tmp/jailer --id vm1 " "$tmp/out" && grep -q '^PUT /actions {"action_type":"InstanceStart"}' "$tmp/out" &&
        ok "dry-run: prints the jailer command and the requests" || notok "dry-run output"
[ ! -e "$run/vms" ] && [ ! -e "$jail/firecracker" ] && ok "dry-run: starts and stages nothing" || notok "dry-run left files"

# --- images: a rootfs with its manifest's verity tree, a changed one, signatures ------------------
vi=$tmp/vimg
mkdir -p "$vi"
cp "$tmp/img/vmlinux" "$vi/vmlinux"
head -c 1048576 /dev/urandom > "$vi/rootfs.ext4"
veritysetup format --hash-offset=1048576 --salt=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff \
        "$vi/rootfs.ext4" "$vi/rootfs.ext4" > "$vi/format.txt" 2>&1
vroot=$(sed -n 's/^Root hash:[[:space:]]*//p' "$vi/format.txt")
/usr/bin/python3 - "$vi" "$vroot" << 'EOF'
import hashlib, json, os, sys
d, root = sys.argv[1], sys.argv[2]
h = lambda f: hashlib.sha256(open(os.path.join(d, f), "rb").read()).hexdigest()
m = {"kind": "rootfs", "outputs": {"rootfs.ext4": {"sha256": h("rootfs.ext4"), "size": os.path.getsize(os.path.join(d, "rootfs.ext4"))}},
     "verity": {"root_hash": root, "salt": "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", "hash_algorithm": "sha256",
                "data_block_size": 4096, "hash_block_size": 4096, "data_blocks": 256, "hash_offset": 1048576, "hash_start_block": 257}}
open(os.path.join(d, "manifest.json"), "w").write(json.dumps(m, indent=2) + "\n")
open(os.path.join(d, "SHA256SUMS"), "w").write("".join(f"{h(f)}  {f}\n" for f in ("rootfs.ext4", "vmlinux", "manifest.json")))
EOF
RV=(--kernel "$vi/vmlinux" --rootfs "$vi/rootfs.ext4" --vcpus 1 --mem 128 --net none)
vsha=$(sha256sum "$vi/rootfs.ext4" | cut -c1-64)
expect "images: a rootfs with a verity tree in its manifest passes the pre-start hash (--dry-run)" 0 "" \
        "$bin" run --name vmv "${RV[@]}" "${L[@]}" --policy "$tmp/dev-policy.json" --dry-run
has "root=/dev/dm-0 ro dm-mod.create=\"sis-root,,,ro,0 2048 verity 1 /dev/vda /dev/vda 4096 4096 256 257 sha256 $vroot 0011[0-9a-f]*\" dm-mod.waitfor=/dev/vda" "$(tr -d '\134' < "$tmp/out")" &&
        has '"is_root_device":false' "$(grep '^PUT /drives/rootfs' "$tmp/out")" &&
        ok "images: the guest mounts dm-verity's /dev/dm-0 from the manifest's root hash; the rootfs drive is not Firecracker's root device" ||
        notok "images: verity boot arguments" "$(grep -E 'boot-source|drives/rootfs' "$tmp/out")"
cp -a "$vi" "$tmp/vimg2"
printf '\x01' | dd of="$tmp/vimg2/rootfs.ext4" bs=1 seek=5000 conv=notrunc status=none
expect "images: a rootfs changed after its build is refused before anything starts, naming it (exit 1)" 1 \
        "$tmp/vimg2/rootfs.ext4: its sha256 .* is not the .* that $tmp/vimg2/manifest.json records" \
        "$bin" run --name vmv --kernel "$vi/vmlinux" --rootfs "$tmp/vimg2/rootfs.ext4" --vcpus 1 --mem 128 --net none "${L[@]}" --policy "$tmp/dev-policy.json"
[ ! -e "$jail/firecracker/vmv" ] && [ ! -e "$reg/vmv.json" ] && ok "images: the refusal left nothing" || notok "images: a refused image left files"
expect "images: --no-image-hash leaves the changed rootfs to the guest's dm-verity (--dry-run)" 0 "" \
        "$bin" run --name vmv --kernel "$vi/vmlinux" --rootfs "$tmp/vimg2/rootfs.ext4" --vcpus 1 --mem 128 --net none "${L[@]}" \
        --policy "$tmp/dev-policy.json" --dry-run --no-image-hash
if command -v gpg > /dev/null; then
        export GNUPGHOME=$tmp/gnupg
        mkdir -m 700 "$GNUPGHOME"
        gpg --batch --quiet --passphrase '' --quick-gen-key "sis image signer <signer@example.org>" ed25519 sign never 2> /dev/null
        gpg --batch --quiet --passphrase '' --quick-gen-key "someone else <other@example.org>" ed25519 sign never 2> /dev/null
        sfpr=$(gpg --batch --with-colons --list-keys signer@example.org 2> /dev/null | awk -F: '$1 == "fpr" { print $10; exit }')
        gpg --batch --quiet --export signer@example.org > "$tmp/signers.gpg"
        chmod 644 "$tmp/signers.gpg"
        /usr/bin/python3 -c 'import json, sys; p = json.load(open(sys.argv[1])); p["images"] = {"require_signed": True, "keyring": sys.argv[3], "trusted_keys": [sys.argv[4]]}; json.dump(p, open(sys.argv[2], "w"))' \
                "$tmp/dev-policy.json" "$tmp/signed-policy.json" "$tmp/signers.gpg" "$sfpr"
        chmod 644 "$tmp/signed-policy.json"
        expect "images: images.require_signed refuses an unsigned rootfs, naming the file (exit 1)" 1 "$vi/SHA256SUMS" \
                "$bin" run --name vmv "${RV[@]}" "${L[@]}" --policy "$tmp/signed-policy.json" --dry-run
        gpg --batch --quiet --local-user other@example.org --armor --detach-sign --output "$vi/SHA256SUMS.asc" "$vi/SHA256SUMS" 2> /dev/null
        expect "images: a signature by a key the policy does not trust is refused (exit 1)" 1 "$vi/SHA256SUMS.asc" \
                "$bin" run --name vmv "${RV[@]}" "${L[@]}" --policy "$tmp/signed-policy.json" --dry-run
        rm -f "$vi/SHA256SUMS.asc"
        gpg --batch --quiet --local-user signer@example.org --armor --detach-sign --output "$vi/SHA256SUMS.asc" "$vi/SHA256SUMS" 2> /dev/null
        expect "images: signed by the trusted key, the VM starts" 0 "" \
                "$bin" run --name vmv "${RV[@]}" "${L[@]}" --policy "$tmp/signed-policy.json"
        /usr/bin/python3 - "$run/vms/vmv/state.json" "$sfpr" "$vroot" << 'EOF' && ok "images: the state records the kernel's and rootfs's sha256, their signer and the verity root hash" || notok "images: state" "$(cat "$run/vms/vmv/state.json" 2>&1)"
import json, sys
i = json.load(open(sys.argv[1]))["images"]
assert i["rootfs"]["signer"] == i["kernel"]["signer"] == sys.argv[2]
assert i["rootfs"]["verity_root_hash"] == sys.argv[3] and len(i["kernel"]["sha256"]) == 64
EOF
        has "^vmv +[0-9]+ +[0-9]+  - +${vsha:0:12}\+verity,signed:${sfpr: -16} +running" "$("$bin" list --run-dir "$run" 2>&1)" &&
                ok "images: list shows the rootfs's sha256, its verity root and its signer" || notok "images: list" "$("$bin" list --run-dir "$run" 2>&1)"
        "$bin" clean --run-dir "$run" --chroot-base "$jail" vmv > /dev/null 2>&1
        sed -i 's/"kind"/"kinds"/' "$vi/manifest.json"
        expect "images: a changed manifest under a good signature is refused, naming it (exit 1)" 1 "manifest.json" \
                "$bin" run --name vmv "${RV[@]}" "${L[@]}" --policy "$tmp/signed-policy.json" --dry-run
        unset GNUPGHOME
else
        skip "images: signatures" "needs gpg"
fi
expect "run: a bad name" 2 "a VM name is 1 to 64" "$bin" run --name 'vm_1' "${R[@]}" "${L[@]}" --policy "$tmp/dev-policy.json"
expect "run: a 65-character name" 2 "a VM name is 1 to 64" "$bin" run --name "$(printf 'a%.0s' $(seq 65))" "${R[@]}" "${L[@]}"
expect "run: --vsock with the qemu backend is refused, not ignored" 2 "--vsock: only the firecracker backend" "$bin" run --name vm1 "${R[@]}" --backend qemu --vsock 3 "${L[@]}"
expect "run: a missing kernel" 2 "--kernel $tmp/img/nope" "$bin" run --name vm1 --kernel "$tmp/img/nope" --rootfs "$tmp/img/rootfs.ext4" --net none "${L[@]}"
# images are checked, then placed in the jail, each by its path: nobody but root may change one in
# between (a kernel swapped after its signature check; a home disk made a link to root's secrets)
mkdir -p "$tmp/theirs" "$tmp/open" "$tmp/sticky"
cp "$tmp/img/vmlinux" "$tmp/theirs/vmlinux.nobody"
chown nobody "$tmp/theirs/vmlinux.nobody"
cp "$tmp/img/rootfs.ext4" "$tmp/theirs/rootfs.0666"
chmod 0666 "$tmp/theirs/rootfs.0666"
cp "$tmp/img/home.ext4" "$tmp/open/home.ext4"
chmod 0777 "$tmp/open"
chmod 1777 "$tmp/sticky"
I=(--name vm1 --kernel "$tmp/img/vmlinux" --rootfs "$tmp/img/rootfs.ext4" --net none "${L[@]}" --policy "$tmp/dev-policy.json")
expect "run: a kernel of another user's is refused, naming it" 2 "--kernel $tmp/theirs/vmlinux.nobody: belongs to uid 65534, not root" \
        "$bin" run "${I[@]}" --kernel "$tmp/theirs/vmlinux.nobody"
expect "run: a rootfs others can write is refused" 2 "--rootfs $tmp/theirs/rootfs.0666: writable by others \(mode 0666\)" \
        "$bin" run "${I[@]}" --rootfs "$tmp/theirs/rootfs.0666"
expect "run: a home disk in a directory others can write is refused" 2 "--home $tmp/open/home.ext4: $tmp/open is writable by others" \
        "$bin" run "${I[@]}" --home "$tmp/open/home.ext4"
ln -s /etc/shadow "$tmp/open/home.link"
expect "run: a home disk that leads to root's secrets through such a directory is refused" 2 "--home $tmp/open/home.link: " \
        "$bin" run "${I[@]}" --home "$tmp/open/home.link"
[ ! -e "$jail/firecracker/vm1" ] && [ ! -e "$reg/vm1.json" ] && ok "run: the refused images left nothing" || notok "run: a refused image left files"
# a directory root would make where anyone can make it first (a sticky /tmp) is theirs by then
expect "run: a --chroot-base not there yet, in a sticky directory, is refused" 2 \
        "--chroot-base $tmp/sticky/jail: $tmp/sticky/jail does not exist, and $tmp/sticky is writable by others \(mode 1777\): make it first" \
        "$bin" run --name vm1 "${R[@]}" --run-dir "$run" --chroot-base "$tmp/sticky/jail" --uid-range 20000-20009 --jailer "$tmp/jailer" --firecracker "$tmp/firecracker"
expect "snapshot: an --out in a directory others can write is refused" 2 "--out $tmp/open/snap: $tmp/open is writable by others" \
        "$bin" snapshot vm1 --out "$tmp/open/snap" "${L[@]}"
# a cgroup of the VM's name that was there before: not the VM's to use, nor its undo's to remove
if grep -q ' cgroup ' /proc/mounts; then
        pre=$(awk '$3 == "cgroup" && $4 ~ /(^|,)pids(,|$)/ { print $2; exit }' /proc/self/mounts)/firecracker/vmcg
else
        pre=/sys/fs/cgroup/firecracker/vmcg
fi
mkdir -p "$pre"
expect "run: a cgroup of the VM's name that was there before is refused, naming it" 2 "$pre: a cgroup of this VM's name is there already" \
        "$bin" run --name vmcg "${R[@]}" "${L[@]}" --policy "$tmp/dev-policy.json"
[ -d "$pre" ] && [ ! -e "$jail/firecracker/vmcg" ] && [ ! -e "$reg/vmcg.json" ] && ok "run: the refusal leaves that cgroup, and nothing of its own" ||
        notok "run: after the refusal" "$(ls -d "$pre" "$jail/firecracker/vmcg" "$reg/vmcg.json" 2>&1)"
"$bin" clean vmcg "${L[@]}" > /dev/null 2>&1
rmdir "$pre"

# --- a VM through the API ------------------------------------------------------------------------
P=(--policy "$tmp/dev-policy.json")
expect "run: vm1 starts through the jailer and the API" 0 "started vm1: firecracker pid" "$bin" run --name vm1 "${R[@]}" "${L[@]}" "${P[@]}"
cp "$tmp/err" "$tmp/run1.err"
vm=$jail/firecracker/vm1
root=$vm/root
argv=$(cat "$vm/jailer.argv" 2> /dev/null)
want=("--id" "vm1" "--exec-file" "$tmp/firecracker" "--uid" "20000" "--gid" "20000" "--chroot-base-dir" "$jail"
      "--new-pid-ns" "--daemonize" "--cgroup-version" "--resource-limit" "no-file=2048" "pids.max=64" "--" "--api-sock"
      "/run/firecracker.socket")
missing=
for w in "${want[@]}"; do grep -qxF -- "$w" <<< "$argv" || missing="$missing $w"; done
[ -z "$missing" ] && ok "jailer argv: id, exec-file, uid/gid, chroot base, pid ns, daemonize, limits, API socket" || notok "jailer argv lacks:$missing"
cgv=$(grep -A1 -x -- '--cgroup-version' <<< "$argv" | tail -1)
if grep -q ' cgroup ' /proc/mounts; then want_cgv=1; else want_cgv=2; fi
[ "$cgv" = "$want_cgv" ] && ok "jailer argv: --cgroup-version $cgv, as this host's hierarchy says" || notok "cgroup version $cgv, want $want_cgv"
if [ "$cgv" = 1 ]; then grep -qx 'cpu.cfs_quota_us=200000' <<< "$argv" && grep -qx 'memory.limit_in_bytes=335544320' <<< "$argv"
else grep -qx 'cpu.max=200000 100000' <<< "$argv" && grep -qx 'memory.max=335544320' <<< "$argv"; fi &&
        ok "jailer argv: cpu and memory limits from --vcpus 2 --mem 256" || notok "jailer argv: limits"
# speculation control: force-disabled where the host offers per-process control; where it does
# not (this development host: "vulnerable", no SSBD), sis-launch says so and records it
if grep -q 'Speculation_Store_Bypass:.*thread' /proc/self/status; then
        grep -q 'Speculation_Store_Bypass:.*thread force mitigated' "$vm/jailer.spec" && ok "the jailer runs with speculative store bypass force-disabled" ||
                { notok "speculation control"; cat "$vm/jailer.spec"; }
else
        grep -q 'no per-process control of speculative store bypass' "$tmp/run1.err" &&
                grep -q '"speculation_uncontrolled": "speculative store bypass' "$run/vms/vm1/state.json" &&
                ok "no store-bypass control on this host: warned and recorded, not silently skipped" || notok "uncontrolled speculation not reported"
fi
[ "$(grep -vc '^\(PATH\|PWD\|SHLVL\|_\)=' "$vm/jailer.env")" = 0 ] && ok "the jailer gets a clean environment" || notok "jailer environment: $(tr '\n' ' ' < "$vm/jailer.env")"
# the jailer makes the jail's root the VM's (0700): what sis-launch staged there is root's
[ "$(stat -c '%a %u' "$root")" = "700 20000" ] && [ "$(stat -c '%u' "$root/vmlinux" "$root/rootfs.ext4" | sort -u)" = 0 ] &&
        ok "chroot: the VM's directory, as the jailer leaves it; the files staged in it are root's" ||
        notok "chroot: $(stat -c '%a %u %g' "$root")"
[ "$(stat -c %i "$root/vmlinux")" = "$(stat -c %i "$tmp/img/vmlinux")" ] && [ "$(stat -c %i "$root/rootfs.ext4")" = "$(stat -c %i "$tmp/img/rootfs.ext4")" ] &&
        ok "chroot: kernel and rootfs hard-linked, not copied" || notok "chroot: kernel/rootfs not hard links"
[ "$(stat -f -c %T "$root/disk")" = tmpfs ] && [ "$(stat -c '%a %u' "$root/disk/home.ext4")" = "600 20000" ] &&
        cmp -s "$root/disk/home.ext4" "$tmp/img/home.ext4" && [ "$(du -k "$root/disk/home.ext4" | cut -f1)" -lt 1024 ] &&
        ok "chroot: the VM's own sparse copy of the home disk, on a tmpfs, 0600 uid" || notok "chroot: home copy"
[ "$(stat -c '%F %a %u' "$root/logger.fifo")" = "fifo 600 20000" ] && [ "$(stat -c '%F %a %u' "$root/metrics.fifo")" = "fifo 600 20000" ] &&
        ok "chroot: logger and metrics FIFOs, 0600 uid" || notok "chroot: FIFOs"
[ -z "$(find "$root" \( -type b -o -type c \) 2> /dev/null)" ] && ok "chroot: device-free (the jailer makes the nodes it needs)" || notok "chroot: device nodes"
/usr/bin/python3 "$PWD/tests/launch/validate.py" "$spec" --requests "$vm/requests.jsonl" > "$tmp/v" 2>&1 &&
        ok "contract: every request validates against Firecracker's swagger ($(tail -1 "$tmp/v"))" || { notok "contract"; cat "$tmp/v"; }
/usr/bin/python3 - "$vm/requests.jsonl" << 'EOF' && ok "requests: logger first, InstanceStart last, rootfs read-only, home read-write, jail paths" || notok "requests"
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
assert rs[0]["path"] == "/logger" and rs[-1] == {**rs[-1], "method": "PUT", "path": "/actions", "body": {"action_type": "InstanceStart"}}
d = {r["path"]: r["body"] for r in rs}
assert d["/drives/rootfs"]["is_root_device"] and d["/drives/rootfs"]["is_read_only"] and d["/drives/rootfs"]["path_on_host"] == "/rootfs.ext4"
assert not d["/drives/home"]["is_read_only"] and d["/drives/home"]["path_on_host"] == "/disk/home.ext4"
assert d["/boot-source"]["kernel_image_path"] == "/vmlinux" and "8250.nr_uarts=0" in d["/boot-source"]["boot_args"]
assert d["/machine-config"] == {"vcpu_count": 2, "mem_size_mib": 256, "smt": False, "track_dirty_pages": False}
EOF
st=$run/vms/vm1/state.json
/usr/bin/python3 - "$st" "$tmp/dev-policy.json" << 'EOF' && ok "state: the audit digest and the policy are recorded with the VM" || notok "state.json"
import hashlib, json, sys
s = json.load(open(sys.argv[1]))
a = s["audit"]
assert len(a["report_sha256"]) == 64 and a["profile"] == "development" and a["policy"] == sys.argv[2]
assert a["policy_sha256"] == hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()
assert s["uid"] == 20000 and s["pid"] > 1
EOF
[ "$(reg_uid vm1)" = 20000 ] && ok "lease: uid 20000 is vm1's" || notok "lease" "$(cat "$reg/vm1.json" 2>&1)"
# the runtime audit sees what the stand-in VMM is: root, no seccomp, the host's namespaces
expect "runtime audit: sis-audit --vm vm1 fails the stand-in VMM" 1 "vm.vm1 " "$audit" --vm vm1 --run-dir "$run"
# (the stand-in runs its VMM as the VM's uid, as the jailer does: root is not among the findings)
grep -q 'no seccomp filter' "$tmp/out" && grep -q 'no_new_privs is not set' "$tmp/out" && grep -q "shares the host's mnt namespace" "$tmp/out" &&
        ok "runtime audit: no seccomp filter, no no_new_privs, host namespaces, each named" || notok "runtime audit findings" "$(grep vm1 "$tmp/out")"
expect "runtime audit: --vm of an unknown VM" 2 "no such VM" "$audit" --vm nope --run-dir "$run"

# the host's defaults for the limits: root's file, or refused; the command line overrides a key
printf '# this host\ndisk-rate = 5/100\n\nmax-conns = 64  # per VM\n' > "$tmp/launch.conf"
chmod 0666 "$tmp/launch.conf"
expect "limits: a launch.conf others can write is refused" 2 "$tmp/launch.conf is writable by others \(mode 0666\): refusing it" \
        "$bin" run --name vm2 --conf "$tmp/launch.conf" "${R[@]}" "${L[@]}" "${P[@]}"
chmod 0644 "$tmp/launch.conf"
printf 'net-rate = fast\n' > "$tmp/bad.conf"
expect "limits: a bad value is refused, naming the file and line" 2 "$tmp/bad.conf:1: net-rate: 'fast' is not MBIT\[/BURST_KIB\]" \
        "$bin" run --name vm2 --conf "$tmp/bad.conf" "${R[@]}" "${L[@]}" "${P[@]}"
expect "limits: a --conf that is not there is refused" 2 "$tmp/none.conf: No such file or directory" \
        "$bin" run --name vm2 --conf "$tmp/none.conf" "${R[@]}" "${L[@]}" "${P[@]}"
[ ! -e "$reg/vm2.json" ] && ok "limits: a refused launch.conf starts nothing" || notok "limits: refused conf left vm2"
expect "run: vm2 gets the next uid" 0 "uid 20001" "$bin" run --name vm2 --vsock 3 --conf "$tmp/launch.conf" --disk-rate 7 "${R[@]}" "${L[@]}" "${P[@]}"
/usr/bin/python3 - "$jail/firecracker/vm2/requests.jsonl" "$run/vms/vm2/state.json" << 'EOF' &&
import json, sys
d = {r["path"]: r["body"] for r in map(json.loads, open(sys.argv[1]))}
want = {"bandwidth": {"size": 700000, "refill_time": 100}}
assert d["/drives/rootfs"]["rate_limiter"] == want and d["/drives/home"]["rate_limiter"] == want, d["/drives/home"]
lim = json.load(open(sys.argv[2]))["limits"]
assert lim == {"net_mbit": 0, "net_burst_kib": 0, "disk_mbyte": 7, "disk_iops": 0, "max_conns": 64}, lim
EOF
        ok "limits: --disk-rate 7 over launch.conf's 5/100: each drive's rate_limiter (7 MB/s, no ops bucket); the state records it and max-conns 64" ||
        notok "limits: vm2's drives and state"
grep -q '"path": "/vsock", "body": {"guest_cid": 3, "uds_path": "/run/vsock.sock"}' "$jail/firecracker/vm2/requests.jsonl" &&
        /usr/bin/python3 "$PWD/tests/launch/validate.py" "$spec" --requests "$jail/firecracker/vm2/requests.jsonl" > /dev/null 2>&1 &&
        ok "contract: the vsock device validates too" || notok "vsock request"
expect "run: a name in use is refused" 2 "a VM named vm1 exists already" "$bin" run --name vm1 "${R[@]}" "${L[@]}" "${P[@]}"
[ -d "$root" ] && [ "$(reg_uid vm1)" = 20000 ] && ok "the refused duplicate did not touch vm1" || notok "duplicate run damaged vm1"
"$bin" list --run-dir "$run" > "$tmp/list" 2>&1
grep -qE '^vm1 +[0-9]+ +20000  - +- +running' "$tmp/list" && grep -qE '^vm2 +[0-9]+ +20001  disk=7/0,conns=64 +- +running' "$tmp/list" &&
        ok "list: both VMs, running, vm2 with its limits" || { notok "list"; cat "$tmp/list"; }

# --- clean -------------------------------------------------------------------------------------
pid=$(cat "$root/firecracker.pid")
expect "clean: vm1" 0 "" "$bin" clean --run-dir "$run" --chroot-base "$jail" vm1
gone "$pid" && [ ! -e "$vm" ] && [ ! -e "$run/vms/vm1" ] && [ ! -e "$reg/vm1.json" ] &&
        ! grep -q " $vm/" /proc/mounts && ok "clean: no process, chroot, tmpfs, state or lease left" || notok "clean left something"
expect "clean: twice is fine" 0 "" "$bin" clean --run-dir "$run" --chroot-base "$jail" vm1
expect "clean: a bad name" 2 "not a VM name" "$bin" clean --run-dir "$run" --chroot-base "$jail" ../etc

# --- errors from the VMM: surfaced, and everything undone --------------------------------------------
echo 'PUT /drives/home=400:Unable to create the block device: No such file or directory' > "$tmp/jailer.faults"
expect "run: a fault_message from Firecracker is surfaced" 2 "PUT /drives/home: HTTP 400: Unable to create the block device" \
        "$bin" run --name vm3 "${R[@]}" "${L[@]}" "${P[@]}"
rm -f "$tmp/jailer.faults"
[ ! -e "$jail/firecracker/vm3" ] && [ ! -e "$run/vms/vm3" ] && [ ! -e "$reg/vm3.json" ] &&
        ! pgrep -f "fc-server.py --socket $jail/firecracker/vm3" > /dev/null && ok "a failed start leaves nothing behind" || notok "failed start left files"

# --- --config-file --no-api ------------------------------------------------------------------------
expect "run: --config-file mode" 0 "started vm4" "$bin" run --name vm4 --config-file "${R[@]}" "${L[@]}" "${P[@]}"
v4=$jail/firecracker/vm4
has '--config-file /vm-config.json --no-api' "$(tail -3 "$v4/jailer.argv" | tr '\n' ' ')" && [ ! -e "$v4/requests.jsonl" ] &&
        ok "config-file mode: the VMM gets --config-file --no-api, no API request is sent" || notok "config-file argv"
/usr/bin/python3 "$PWD/tests/launch/validate.py" "$spec" --config-file "$v4/vm-config.json" > "$tmp/v" 2>&1 &&
        ok "contract: the config file validates against FullVmConfiguration" || { notok "config-file contract"; cat "$tmp/v"; }
[ "$(stat -c '%a %u' "$v4/root/vm-config.json")" = "644 0" ] && ok "config-file: root's, 0644: the VMM reads it, cannot change it" ||
        notok "config-file mode" "$(stat -c '%a %u' "$v4/root/vm-config.json")"
expect "config-file: its log keeps what Firecracker wrote before the monitor existed" 0 "Successfully started microvm" \
        "$bin" logs --run-dir "$run" vm4
"$bin" clean "${L[@]}" vm4 > /dev/null 2>&1
# a Firecracker that dies at start (here as on a host without KVM: /dev/kvm answers ENODEV) is a
# failed start, not "started": exit 2, its last words, nothing left behind
echo nokvm > "$tmp/jailer.faults"
expect "config-file: a VMM that exits at start is a failed start, named" 2 "vm4k: Firecracker exited before its log said it had started the VM: this host has no KVM" \
        "$bin" run --name vm4k --config-file "${R[@]}" "${L[@]}" "${P[@]}"
has "exit_code=1" "$(cat "$tmp/err")" && has "process is configured on the /dev/kvm file's ACL" "$(cat "$tmp/err")" &&
        ! has "started vm4k" "$(cat "$tmp/err")" && ok "config-file: the error carries Firecracker's last log lines, each one line" ||
        notok "config-file: last words" "$(cat "$tmp/err")"
[ ! -e "$jail/firecracker/vm4k" ] && [ ! -e "$run/vms/vm4k" ] && [ ! -e "$reg/vm4k.json" ] && ok "config-file: the failed start leaves nothing" ||
        notok "config-file: the failed start left files"
# the API's InstanceStart on such a host: Firecracker's fault_message holds a backslash-newline
expect "run: InstanceStart without KVM: the fault on one line, and named" 2 \
        "PUT /actions: HTTP 400: Start microvm error: Kvm error: Error creating KVM object: No such device \(os error 19\) Make sure the user launching the firecracker process is configured on the /dev/kvm file's ACL.: this host has no KVM" \
        "$bin" run --name vm3k "${R[@]}" "${L[@]}" "${P[@]}"
! grep -q '^ *configured on' "$tmp/err" && has "Firecracker's last words:" "$(cat "$tmp/err")" &&
        has 'Received Error. Status code: 400 Bad Request' "$(cat "$tmp/err")" && ok "run: a failed start shows Firecracker's log, one line a line" ||
        notok "run: ENODEV output" "$(cat "$tmp/err")"
rm -f "$tmp/jailer.faults"
[ ! -e "$jail/firecracker/vm3k" ] && [ ! -e "$reg/vm3k.json" ] && ok "run: the failed InstanceStart leaves nothing" || notok "vm3k left files"

# --- a 64-character name: the API socket's path is longer than sun_path (108 bytes) -------------------
long=$(printf 'L%.0s' $(seq 64))
[ "${#jail}" -gt 0 ] && [ $(( ${#jail} + ${#long} + 41 )) -gt 108 ] || notok "long name: the jail base is too short to test this"
expect "run: a 64-character name, its API socket path $(( ${#jail} + ${#long} + 41 )) bytes long" 0 "started $long" \
        "$bin" run --name "$long" "${R[@]}" "${L[@]}" "${P[@]}"
has '"action_type": "InstanceStart"' "$(cat "$jail/firecracker/$long/requests.jsonl" 2> /dev/null)" &&
        ok "long name: every request reached the VMM" || notok "long name: requests"
expect "long name: stop reaches it too" 0 "$long stopped" "$bin" stop --timeout 1 --run-dir "$run" "$long"
has '"action_type": "SendCtrlAltDel"' "$(cat "$jail/firecracker/$long/requests.jsonl" 2> /dev/null)" &&
        ok "long name: stop sent SendCtrlAltDel through the API" || notok "long name: stop"
"$bin" clean "${L[@]}" "$long" > /dev/null 2>&1

# --- the stand-in answers as the real Firecracker does (tests/fc-check.sh runs the same script
# against the real one) --------------------------------------------------------------------------------
mkfifo "$tmp/contract.fifo"
/usr/bin/python3 tests/launch/fc-server.py --socket "$tmp/contract.sock" --record "$tmp/contract.rec" --root / --id contract &
cpid=$!
wait_until 10 test -S "$tmp/contract.sock"
/usr/bin/python3 tests/launch/fc-contract.py "$tmp/contract.sock" "$tmp/contract.fifo" > "$tmp/contract.out" 2>&1
kill "$cpid" 2> /dev/null
wait "$cpid" 2> /dev/null
diff -u tests/launch/fc-contract.expected "$tmp/contract.out" > "$tmp/contract.diff" &&
        ok "stand-in: its API answers before boot are Firecracker v1.16.1's (tests/launch/fc-contract.expected)" ||
        notok "stand-in contract" "$(cat "$tmp/contract.diff")"

# --- the validator itself catches what Firecracker would refuse ------------------------------------
cat > "$tmp/bad.jsonl" <<'EOF'
{"method": "PUT", "path": "/drives/rootfs", "body": {"drive_id": "root", "path_on_host": "/r", "is_root_device": true, "is_read_only": true}}
{"method": "PUT", "path": "/machine-config", "body": {"vcpu_count": "2", "mem_size_mib": 256}}
{"method": "PUT", "path": "/boot-source", "body": {"kernel_image_path": "/vmlinux", "boot_arguments": "x"}}
{"method": "PUT", "path": "/actions", "body": {"action_type": "Boot"}}
{"method": "POST", "path": "/actions", "body": {"action_type": "InstanceStart"}}
{"method": "PUT", "path": "/no-such-thing", "body": {}}
EOF
/usr/bin/python3 "$PWD/tests/launch/validate.py" "$spec" --requests "$tmp/bad.jsonl" > "$tmp/v" 2>&1
[ $? = 1 ] && grep -q 'path drive_id=rootfs but the body says root' "$tmp/v" && grep -q "'2' is not of type 'integer'" "$tmp/v" &&
        grep -q "Additional properties are not allowed ('boot_arguments'" "$tmp/v" && grep -q "'Boot' is not one of" "$tmp/v" &&
        grep -q 'POST /actions: method not allowed' "$tmp/v" && grep -q '/no-such-thing: no such path' "$tmp/v" &&
        ok "contract: the validator refuses an id mismatch, a wrong type, an unknown field, a bad enum, method, path" ||
        { notok "validator negative cases"; cat "$tmp/v"; }

# --- lifecycle: logs, the watchdog, stop, kill ------------------------------------------------------
expect "lifecycle: vm9 runs with a 1 s watchdog" 0 "started vm9" "$bin" run --name vm9 --watchdog 1 "${R[@]}" "${L[@]}" "${P[@]}"
echo "2026-11-22T12:00:00 [vm9:main] Running Firecracker v1.16.1" > "$jail/firecracker/vm9/root/logger.fifo"
wait_until 30 grep -qs 'Running Firecracker' "$run/vms/vm9/firecracker.log"
expect "logs: what Firecracker wrote to its log FIFO" 0 "Running Firecracker v1.16.1" "$bin" logs --run-dir "$run" vm9
p9=$(cat "$jail/firecracker/vm9/root/firecracker.pid")
kill -STOP "$p9"
wait_until 30 gone "$p9"
# the monitor records why after the kill: the state may trail the VMM's end (under load, by seconds)
wait_until 10 grep -qs '"watchdog": "killed: the API did not answer 3 checks in a row"' "$run/vms/vm9/state.json"
gone "$p9" && grep -q '"watchdog": "killed: the API did not answer 3 checks in a row"' "$run/vms/vm9/state.json" &&
        ok "watchdog: a VMM that stops answering is SIGKILLed, and the state says so" ||
        notok "watchdog" "VMM gone: $(gone "$p9" && echo yes || echo no)" "$(lines 40 "$(cat "$run/vms/vm9/state.json" 2> /dev/null)")"
expect "lifecycle: vm10 runs" 0 "started vm10" "$bin" run --name vm10 "${R[@]}" "${L[@]}" "${P[@]}"
expect "stop: Ctrl-Alt-Del first, then SIGTERM after the timeout" 0 "vm10 stopped \(SIGTERM\)" "$bin" stop --timeout 1 --run-dir "$run" vm10
grep -q '"body": {"action_type": "SendCtrlAltDel"}' "$jail/firecracker/vm10/requests.jsonl" &&
        /usr/bin/python3 "$PWD/tests/launch/validate.py" "$spec" --requests "$jail/firecracker/vm10/requests.jsonl" > /dev/null 2>&1 &&
        ok "stop: the SendCtrlAltDel request validates" || notok "stop: SendCtrlAltDel"
expect "lifecycle: vm11 runs" 0 "started vm11" "$bin" run --name vm11 "${R[@]}" "${L[@]}" "${P[@]}"
expect "kill: SIGKILL" 0 "vm11 killed" "$bin" kill --run-dir "$run" vm11
expect "kill: a VM that is not running says so" 0 "vm11 is not running: nothing to kill" "$bin" kill --run-dir "$run" vm11
! has "vm11 killed" "$(cat "$tmp/err")" && ok "kill: no 'killed' for a dead VM" || notok "kill of a dead VM"
expect "stop: a VM that is not running says so" 0 "vm11 is not running" "$bin" stop --run-dir "$run" vm11
"$bin" list --run-dir "$run" > "$tmp/list" 2>&1
grep -qE '^vm11 .*stopped' "$tmp/list" && grep -qE '^vm9 .*stopped' "$tmp/list" && ok "list: killed VMs show as stopped" || { notok "list after kill"; cat "$tmp/list"; }
expect "stop: an unknown VM" 2 "no VM named nope" "$bin" stop --run-dir "$run" nope
for v in vm9 vm10 vm11; do "$bin" clean "${L[@]}" "$v" > /dev/null 2>&1; done
! has '^vm(9|10|11)$' "$(ls "$run/vms" 2> /dev/null)" && ! pgrep -f "sis-launch.*vm(9|10|11)" > /dev/null &&
        ok "clean: stopped and killed VMs, and their monitors, leave nothing" || notok "clean after stop/kill"

# --- snapshots: sealed, single use ---------------------------------------------------------------------
# the host key (root's, 0600), the ledger, the image directory: the test's own
mkdir -m 0700 "$tmp/keys"
head -c 32 /dev/urandom > "$tmp/keys/snapshot.key"
chmod 600 "$tmp/keys/snapshot.key"
KEY=$tmp/keys/snapshot.key
SN=(--ledger "$tmp/ledger" --key "$KEY")
LG=("${SN[@]}" --images "$tmp/img")
tool=(/usr/bin/python3 "$PWD/tests/launch/snapshot-tool.py")
expect "snapshot: vm5 runs" 0 "started vm5" "$bin" run --name vm5 "${R[@]}" "${L[@]}" "${P[@]}"
expect "snapshot: vm5 is paused and snapshotted" 0 "snapshot [0-9a-f]{32} of vm5 in $tmp/snap1, sealed under key" \
        "$bin" snapshot vm5 --out "$tmp/snap1" "${L[@]}" "${SN[@]}"
[ "$(cd "$tmp/snap1" && echo *)" = "home.ext4.sealed manifest.json manifest.mac mem.sealed vmstate.sealed" ] &&
        [ ! -e "$jail/firecracker/vm5/root/snapshot/mem" ] && [ ! -e "$jail/firecracker/vm5/root/snapshot/vmstate" ] &&
        ok "snapshot: sealed vmstate, mem and home disk, a manifest and its MAC; the jail keeps no memory image" ||
        notok "snapshot files: $(ls "$tmp/snap1")"
! grep -rqa SIS-GUEST-MEMORY-MARKER "$tmp/snap1" && ok "snapshot: what the guest's memory held is nowhere in the snapshot in clear" ||
        notok "snapshot: the guest's memory is readable in the snapshot"
cat > "$tmp/meta-check.py" << 'PY'
import json, os, re, sys
m = json.load(open(sys.argv[1]))
assert m["snapshot_format"] == 2 and re.fullmatch("[0-9a-f]{32}", m["id"]) and not m["forensic"]
assert m["firecracker_version"] == "Firecracker v1.16.1" and m["guest_kernel"] == "6.1.0-sis"
assert m["host_kernel"] == os.uname().release and m["cpu_model"].split()[0] in ("GenuineIntel", "AuthenticAMD")
assert "tsc_khz" in m and m["vcpus"] == 2 and m["mem_mib"] == 256
assert re.fullmatch("[0-9a-f]{64}", m["rootfs"]["sha256"]) and m["rootfs"]["size"] == 2 << 20
assert sorted(f["name"] for f in m["files"]) == ["home.ext4", "mem", "vmstate"]
assert all(re.fullmatch("[0-9a-f]{64}", f["sha256"]) and f["size"] > 0 for f in m["files"])
assert "/" not in json.dumps({k: v for k, v in m.items() if k not in ("cpu_model",)}).replace("\\/", "")
PY
/usr/bin/python3 "$tmp/meta-check.py" "$tmp/snap1/manifest.json" && "${tool[@]}" check "$KEY" "$tmp/snap1" > /dev/null &&
        ok "snapshot: the manifest: id, VMM, CPU, kernels, limits, images and files by sha256, no host path; its MAC verifies" ||
        notok "snapshot manifest" "$(cat "$tmp/snap1/manifest.json")"
[ -e "$tmp/ledger/issued/$("${tool[@]}" check "$KEY" "$tmp/snap1" | cut -d' ' -f1)" ] && ok "snapshot: its id is issued in the ledger" ||
        notok "snapshot: not in the ledger's issued ids"
/usr/bin/python3 "$PWD/tests/launch/validate.py" "$spec" --requests "$jail/firecracker/vm5/requests.jsonl" > "$tmp/v" 2>&1 &&
        grep -q '"path": "/snapshot/create"' "$jail/firecracker/vm5/requests.jsonl" && ok "contract: pause and snapshot requests validate" || { notok "snapshot contract"; cat "$tmp/v"; }
expect "snapshot: --out exists" 2 "never overwritten" "$bin" snapshot vm5 --out "$tmp/snap1" "${L[@]}" "${SN[@]}"
# a VMM that refuses to pause (as Firecracker refuses before boot): its words, no snapshot
echo 'PATCH /vm=400:The requested operation is not supported before starting the microVM.' > "$tmp/jailer.faults"
"$bin" run --name vm5p "${R[@]}" "${L[@]}" "${P[@]}" > /dev/null 2>&1
rm -f "$tmp/jailer.faults"
expect "snapshot: the VMM's refusal to pause is the error" 2 "PATCH /vm: HTTP 400: The requested operation is not supported before starting the microVM" \
        "$bin" snapshot vm5p --out "$tmp/snap5p" "${L[@]}" "${SN[@]}"
! compgen -G "$tmp/snap5p*" > /dev/null && ok "snapshot: a refused snapshot leaves no output" || notok "snapshot: refused, yet $(ls -d "$tmp"/snap5p*)"
"$bin" clean "${L[@]}" vm5p > /dev/null 2>&1

# tampering, each on a copy: refused (exit 1) naming what, and nothing started
tamper() { # NAME PATTERN SETUP...: copy snap1 to $tmp/t, run SETUP in it, then a restore must be refused
        local name=$1 pat=$2
        shift 2
        rm -rf "$tmp/t"
        cp -a "$tmp/snap1" "$tmp/t"
        (cd "$tmp/t" && "$@")
        expect "restore refuses $name" 1 "$pat" "$bin" restore "$tmp/t" --name rt "${L[@]}" "${P[@]}" "${LG[@]}"
        [ ! -e "$run/vms/rt" ] && [ ! -e "$jail/firecracker/rt" ] && [ ! -e "$reg/rt.json" ] || notok "restore refusing $name left rt behind"
}
flip() { printf '\x5a' | dd of="$1" bs=1 seek="$2" conv=notrunc 2> /dev/null; }
tamper "a flipped byte in mem" "mem.sealed: does not verify" flip mem.sealed 2000
tamper "a flipped byte in vmstate" "vmstate.sealed: does not verify" flip vmstate.sealed 40
tamper "a cut home disk" "home.ext4.sealed: does not verify" truncate -s -1000 home.ext4.sealed
tamper "a missing memory file" "mem.sealed: missing" rm mem.sealed
tamper "an extra file" "extra: not part of the snapshot" touch extra
tamper "mem swapped for vmstate" "does not verify" cp vmstate.sealed mem.sealed
tamper "a manifest edit (more memory)" "manifest.json: does not verify under the snapshot key" "${tool[@]}" edit . mem_mib=16384
tamper "a manifest edit with its MAC recomputed without the key" "does not verify under the snapshot key" \
        sh -c 'sed -i "s/\"vcpus\": 2/\"vcpus\": 8/" manifest.json && sha256sum manifest.json | cut -d" " -f1 > manifest.mac'
tamper "a new id (a replay minted by editing)" "was not issued on the ledger" "${tool[@]}" remac "$KEY" . 'id="ffffffffffffffffffffffffffffffff"'
tamper "a rootfs named by a path" "its root filesystem \(sha256 [0-9a-f]{64}\) is not in --images" "${tool[@]}" remac "$KEY" . \
        'rootfs={"sha256": "0000000000000000000000000000000000000000000000000000000000000000", "size": 2097152, "path": "/etc/shadow"}'
mkdir -m 0700 "$tmp/keys2"
head -c 32 /dev/urandom > "$tmp/keys2/other.key"
chmod 600 "$tmp/keys2/other.key"
expect "restore refuses another key" 1 "does not verify under the snapshot key" \
        "$bin" restore "$tmp/snap1" --name rt "${L[@]}" "${P[@]}" "${LG[@]}" --key "$tmp/keys2/other.key"

cp -a "$tmp/snap1" "$tmp/snap1-copy"
expect "restore: the snapshot, once" 0 "started r1" "$bin" restore "$tmp/snap1" --name r1 "${L[@]}" "${P[@]}" "${LG[@]}"
/usr/bin/python3 "$PWD/tests/launch/validate.py" "$spec" --requests "$jail/firecracker/r1/requests.jsonl" > "$tmp/v" 2>&1 &&
        has '"path": "/snapshot/load"' "$(cat "$jail/firecracker/r1/requests.jsonl")" && has '"path": "/vm", "body": \{"state": "Resumed"\}' "$(tail -1 "$jail/firecracker/r1/requests.jsonl")" &&
        ok "contract: the load, the rate limiters turned off (r1 has none), the resume: they validate" || notok "restore contract" "$(cat "$tmp/v")"
grep -qa SIS-GUEST-MEMORY-MARKER "$jail/firecracker/r1/root/snapshot/mem" && cmp -s "$jail/firecracker/r1/root/disk/home.ext4" "$tmp/img/home.ext4" &&
        ok "restore: the memory and the home disk, opened into the new jail as they were" || notok "restore: the opened files differ"
[ "$(du -k "$jail/firecracker/r1/root/disk/home.ext4" | cut -f1)" -lt 4096 ] && ok "restore: the home disk stays sparse in the jail" ||
        notok "restore: home disk $(du -k "$jail/firecracker/r1/root/disk/home.ext4")"
# the guest's clock advances by the time the snapshot slept, where the host kernel can (>= 5.16)
lowest=$(printf '%s\n' 5.16 "$(uname -r)" | sort -V)
if [ "${lowest%%$'\n'*}" = 5.16 ]; then want_clock=true; else want_clock=absent; fi
clock=$(/usr/bin/python3 -c 'import json, sys; print(str([r for r in map(json.loads, open(sys.argv[1])) if r["path"] == "/snapshot/load"][0]["body"].get("clock_realtime", "absent")).lower())' \
        "$jail/firecracker/r1/requests.jsonl" 2>&1)
[ "$clock" = "$want_clock" ] && ok "restore: clock_realtime is $clock on host kernel $(uname -r)" || notok "restore: clock_realtime $clock, want $want_clock"
r1uid=$(/usr/bin/python3 -c "import json; print(json.load(open('$run/vms/r1/state.json'))['uid'])")
[ "$(stat -c '%a %u' "$jail/firecracker/r1/root/snapshot/mem")" = "400 $r1uid" ] &&
        ok "restore: the memory file in the jail is read-only, the VM's" || notok "restore: mem file $(stat -c '%a %u' "$jail/firecracker/r1/root/snapshot/mem")"
expect "restore: a copy of the same snapshot is refused" 1 "restored once already \(r1 " "$bin" restore "$tmp/snap1-copy" --name r2 "${L[@]}" "${P[@]}" "${LG[@]}"
[ ! -e "$run/vms/r2" ] && [ ! -e "$jail/firecracker/r2" ] && ok "restore: the refusal starts nothing" || notok "refused restore left files"
for v in vm5 r1; do "$bin" clean "${L[@]}" "$v" > /dev/null 2>&1; done
# a restore with limits of its own: loaded paused, the snapshot's rate limiters replaced, resumed
"$bin" run --name vm5l "${R[@]}" "${L[@]}" "${P[@]}" > /dev/null 2>&1
"$bin" snapshot vm5l --out "$tmp/snapl" "${L[@]}" "${SN[@]}" > /dev/null 2>&1
"$bin" clean "${L[@]}" vm5l > /dev/null 2>&1
expect "restore: with --disk-rate 3/30" 0 "started rl" "$bin" restore "$tmp/snapl" --name rl --disk-rate 3/30 "${L[@]}" "${P[@]}" "${LG[@]}"
/usr/bin/python3 - "$jail/firecracker/rl/requests.jsonl" "$run/vms/rl/state.json" << 'EOF' &&
import json, sys
rs = [(r["method"], r["path"], r["body"]) for r in map(json.loads, open(sys.argv[1]))]
i = [p for _, p, _ in rs].index("/snapshot/load")
assert rs[i][2]["resume_vm"] is False
rl = {"bandwidth": {"size": 300000, "refill_time": 100}, "ops": {"size": 30, "refill_time": 1000}}
assert rs[i + 1:] == [("PATCH", "/drives/rootfs", {"drive_id": "rootfs", "rate_limiter": rl}),
                      ("PATCH", "/drives/home", {"drive_id": "home", "rate_limiter": rl}),
                      ("PATCH", "/vm", {"state": "Resumed"})], rs[i + 1:]
assert json.load(open(sys.argv[2]))["limits"]["disk_mbyte"] == 3
EOF
        /usr/bin/python3 "$PWD/tests/launch/validate.py" "$spec" --requests "$jail/firecracker/rl/requests.jsonl" > "$tmp/v" 2>&1 &&
        ok "restore: the snapshot is loaded paused, its drives get the restore's rate limiters (PATCH), then it resumes; the requests validate" ||
        notok "restore with limits" "$(cat "$tmp/v")" "$(tail -4 "$jail/firecracker/rl/requests.jsonl")"
"$bin" clean "${L[@]}" rl > /dev/null 2>&1
# a forensic snapshot: logs, audit and policy in too; never restorable
expect "snapshot --forensic: vm5f runs" 0 "started vm5f" "$bin" run --name vm5f "${R[@]}" "${L[@]}" "${P[@]}"
expect "snapshot --forensic" 0 "forensic snapshot [0-9a-f]{32} of vm5f" "$bin" snapshot vm5f --forensic --out "$tmp/snapf" "${L[@]}" "${SN[@]}"
fnames=" $("${tool[@]}" check "$KEY" "$tmp/snapf") "
has ' audit.json ' "$fnames" && has ' log ' "$fnames" && has ' policy.json ' "$fnames" && has ' mem ' "$fnames" &&
        ok "snapshot --forensic: the VM's log (and metrics, when it wrote any), audit report and policy are sealed in too" ||
        notok "forensic files: $fnames"
expect "restore: a forensic snapshot never is" 1 "a forensic snapshot, for analysis only: never restorable" \
        "$bin" restore "$tmp/snapf" --name rf "${L[@]}" "${P[@]}" "${LG[@]}"
"$bin" clean "${L[@]}" vm5f > /dev/null 2>&1
# a VMM writes to its jail: one that swaps its home disk for a link to a host file gets nothing of
# the host copied out with the snapshot
echo host-secret > "$tmp/host-secret"
expect "snapshot: vm5s runs" 0 "started vm5s" "$bin" run --name vm5s "${R[@]}" "${L[@]}" "${P[@]}"
rm -f "$jail/firecracker/vm5s/root/disk/home.ext4" && ln -s "$tmp/host-secret" "$jail/firecracker/vm5s/root/disk/home.ext4"
expect "snapshot: a jail file behind a symlink is refused" 2 "disk/home.ext4: cannot copy it out of the jail: not a regular file, or behind a symlink" \
        "$bin" snapshot vm5s --out "$tmp/snap5s" "${L[@]}" "${SN[@]}"
[ ! -e "$tmp/snap5s" ] && ! grep -rqs host-secret "$tmp"/snap5s* && ok "snapshot: nothing of the host copied out, no partial output" || notok "snapshot: $(ls -d "$tmp"/snap5s*)"
"$bin" clean "${L[@]}" vm5s > /dev/null 2>&1
# a guest that used its memory: Firecracker writes as much again into the jail's tmpfs, and the
# kernel charges that to the VM's memory cgroup too: the snapshot makes room (else the OOM killer
# takes the VMM mid-snapshot), then gives it back
memcg() { # VM: its memory limit, in MiB
        local f
        for f in "$(awk '$3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ { print $2; exit }' /proc/self/mounts)/firecracker/$1/memory.limit_in_bytes" \
                "/sys/fs/cgroup/firecracker/$1/memory.max"; do
                [ -r "$f" ] && { echo $(($(cat "$f") >> 20)); return; }
        done
}
echo "guest 128" > "$tmp/jailer.faults"
expect "snapshot: vm5m runs, its guest using all of its 128 MiB" 0 "started vm5m" \
        "$bin" run --name vm5m --kernel "$tmp/img/vmlinux" --rootfs "$tmp/img/rootfs.ext4" --mem 128 --net none "${L[@]}" "${P[@]}"
rm -f "$tmp/jailer.faults"
lim=$(memcg vm5m)
expect "snapshot: a guest that used its memory is snapshotted, its VMM not killed for the memory file" 0 "snapshot [0-9a-f]{32} of vm5m" \
        "$bin" snapshot vm5m --out "$tmp/snap5m" "${L[@]}" "${SN[@]}"
[ "$lim" = 192 ] && [ "$(memcg vm5m)" = 192 ] && ! gone "$(/usr/bin/python3 -c "import json; print(json.load(open('$run/vms/vm5m/state.json'))['pid'])")" &&
        ok "snapshot: the memory limit is 192 MiB before and after, the VMM alive" || notok "snapshot: memory limit $lim, then $(memcg vm5m)"
"$bin" clean "${L[@]}" vm5m > /dev/null 2>&1
rm -rf "$tmp/snap5m"
# a jail left behind is never reused
mkdir -p "$jail/firecracker/vm5t/root" && touch "$jail/firecracker/vm5t/root/planted"
expect "run: a jail directory left behind is refused, not reused" 2 "a jail is there already" "$bin" run --name vm5t "${R[@]}" "${L[@]}" "${P[@]}"
rm -rf "$jail/firecracker/vm5t"

# the race: two restores of one snapshot at once, many times -- exactly one wins each time
wins_ok=0
for i in $(seq 8); do
        "$bin" run --name "race$i" "${R[@]}" "${L[@]}" "${P[@]}" > "$tmp/race.log" 2>&1
        "$bin" snapshot "race$i" --out "$tmp/rs$i" "${L[@]}" "${SN[@]}" >> "$tmp/race.log" 2>&1 ||
                notok "restore race $i: no snapshot to race for" "$(tail -5 "$tmp/race.log")"
        cp -a "$tmp/rs$i" "$tmp/rs$i-b"
        "$bin" clean "${L[@]}" "race$i" > /dev/null 2>&1
        "$bin" restore "$tmp/rs$i" --name "ra$i" "${L[@]}" "${P[@]}" "${LG[@]}" > /dev/null 2>&1 &
        p1=$!
        "$bin" restore "$tmp/rs$i-b" --name "rb$i" "${L[@]}" "${P[@]}" "${LG[@]}" > /dev/null 2>&1 &
        p2=$!
        wait $p1
        x1=$?
        wait $p2
        x2=$?
        [ "$(( (x1 == 0) + (x2 == 0) ))" = 1 ] && [ "$(( (x1 == 1) + (x2 == 1) ))" = 1 ] && wins_ok=$((wins_ok + 1))
        "$bin" clean "${L[@]}" "ra$i" > /dev/null 2>&1
        "$bin" clean "${L[@]}" "rb$i" > /dev/null 2>&1
done
[ "$wins_ok" = 8 ] && ok "restore race: exactly one of two concurrent restores won, 8 times out of 8" || notok "restore race: $wins_ok of 8"

# a crash between the ledger and the start: the snapshot is spent, never restored twice
"$bin" run --name vm6 "${R[@]}" "${L[@]}" "${P[@]}" > /dev/null 2>&1
"$bin" snapshot vm6 --out "$tmp/snap6" "${L[@]}" "${SN[@]}" > /dev/null 2>&1
cp -a "$tmp/snap6" "$tmp/snap6-b"
"$bin" clean "${L[@]}" vm6 > /dev/null 2>&1
# shellcheck disable=SC2016 # $1 is the hang-jailer's own
printf '#!/bin/bash\n[ "$1" = --version ] && { echo "Jailer v1.16.1"; exit 0; }\nexec sleep 30\n' > "$tmp/hang-jailer"
chmod 755 "$tmp/hang-jailer"
"$bin" restore "$tmp/snap6" --name crash1 --run-dir "$run" --chroot-base "$jail" --uid-range 20000-20009 \
        --jailer "$tmp/hang-jailer" --firecracker "$tmp/firecracker" "${P[@]}" "${LG[@]}" > /dev/null 2>&1 &
rp=$!
wait_until 30 pgrep -f "$tmp/hang-jailer --id crash1" > /dev/null
kill -9 $rp 2> /dev/null
wait $rp 2> /dev/null
pkill -f "$tmp/hang-jailer" 2> /dev/null
expect "restore: after a crash between the ledger and the start, the snapshot stays spent" 1 "restored once already \(crash1 " \
        "$bin" restore "$tmp/snap6-b" --name crash2 "${L[@]}" "${P[@]}" "${LG[@]}"
expect "clean: the crashed restore's leftovers" 0 "" "$bin" clean "${L[@]}" crash1
[ ! -e "$run/vms/crash1" ] && [ ! -e "$jail/firecracker/crash1" ] && [ ! -e "$reg/crash1.json" ] &&
        ok "clean after a crash: nothing left" || notok "clean after a crash"

# compatibility, on manifests an operator with the key changed (so the MAC holds, and the check
# itself must refuse): another host kernel, another VMM line, a guest without VMGenID
"$bin" run --name vm7 "${R[@]}" "${L[@]}" "${P[@]}" > /dev/null 2>&1
"$bin" snapshot vm7 --out "$tmp/snap7" "${L[@]}" "${SN[@]}" > /dev/null 2>&1
"$bin" clean "${L[@]}" vm7 > /dev/null 2>&1
cp -a "$tmp/snap7" "$tmp/snap7-k"
"${tool[@]}" remac "$KEY" "$tmp/snap7-k" 'host_kernel="5.10.0-other"'
expect "restore: another host kernel is refused" 1 "taken under host kernel 5.10.0-other" \
        "$bin" restore "$tmp/snap7-k" --name k1 "${L[@]}" "${P[@]}" "${LG[@]}"
printf '#!/bin/sh\necho "Firecracker v1.15.0"\n' > "$tmp/fc-old"
sed 's/Jailer v1.16.1/Jailer v1.15.0/' "$tmp/jailer" > "$tmp/jailer-old"
chmod 755 "$tmp/fc-old" "$tmp/jailer-old"
expect "restore: another Firecracker release line is refused" 1 "snapshots load only within one release line" \
        "$bin" restore "$tmp/snap7" --name k2 --run-dir "$run" --chroot-base "$jail" --uid-range 20000-20009 \
        --jailer "$tmp/jailer-old" --firecracker "$tmp/fc-old" "${P[@]}" "${LG[@]}"
R510=(--kernel "$tmp/img/vmlinux-5.10" --rootfs "$tmp/img/rootfs.ext4" --vcpus 1 --mem 128 --net none)
"$bin" run --name vm8 "${R510[@]}" "${L[@]}" "${P[@]}" > /dev/null 2>&1
"$bin" snapshot vm8 --out "$tmp/snap8" "${L[@]}" "${SN[@]}" > /dev/null 2>&1
"$bin" clean "${L[@]}" vm8 > /dev/null 2>&1
expect "restore: a guest kernel without VMGenID (5.10) is refused" 1 "predates VMGenID" \
        "$bin" restore "$tmp/snap8" --name g1 "${L[@]}" "${P[@]}" "${LG[@]}"
cat > "$tmp/waive.py" << 'PY'
import json, sys
p = json.load(open(sys.argv[1]))
exp = p["waivers"][0]["expires"] if p["waivers"] else "2099-01-01"
p["waivers"].append({"check": "snapshot.vmgenid", "reason": "test guests reseed from virtio-rng", "expires": exp, "approver": "tests"})
json.dump(p, open(sys.argv[2], "w"))
PY
/usr/bin/python3 "$tmp/waive.py" "$tmp/dev-policy.json" "$tmp/vmgenid-policy.json"
chmod 644 "$tmp/vmgenid-policy.json"
expect "restore: ... unless the policy waives snapshot.vmgenid" 0 "started g2" \
        "$bin" restore "$tmp/snap8" --name g2 "${L[@]}" --policy "$tmp/vmgenid-policy.json" "${LG[@]}"

# --- sis-launch metrics of 1 and of 50 running VMs: promtool and node_exporter take them ------------
for d in "$run"/vms/*/; do [ -d "$d" ] && "$bin" clean "${L[@]}" "$(basename "$d")" > /dev/null 2>&1; done
M=(--run-dir "$run" --chroot-base "$jail" --uid-range 20300-20399 --jailer "$tmp/jailer" --firecracker "$tmp/firecracker")
mkdir -p "$tmp/textfile"
metrics_ok() { # N: the VMs' metrics file passes promtool, node_exporter serves N VMs up
        local f=$tmp/textfile/sis_vms.prom
        "$bin" metrics --output "$f" "${M[@]}" &&
                promtool check metrics < "$f" > "$tmp/promtool" 2>&1 && scrape_textfile "$tmp/textfile" "$tmp/scrape" &&
                [ "$(grep -c '^sis_vm_up{.*} 1$' "$tmp/scrape")" = "$1" ] && grep -q '^node_textfile_scrape_error 0$' "$tmp/scrape"
}
"$bin" run --name m0 "${R[@]}" "${M[@]}" "${P[@]}" --max-conns 5 > /dev/null 2>&1
metrics_ok 1 && ok "metrics: one VM: promtool and node_exporter's textfile collector take sis-launch metrics --output" ||
        notok "metrics: one VM" "$(cat "$tmp/promtool" 2> /dev/null)" "$(grep -c '^sis_vm' "$tmp/scrape" 2> /dev/null) samples"
started=1
for i in $(seq 1 49); do
        "$bin" run --name "m$i" "${R[@]}" "${M[@]}" "${P[@]}" > /dev/null 2>&1 && started=$((started + 1))
done
metrics_ok 50 && ok "metrics: 50 VMs: promtool and node_exporter take them ($(grep -c '^sis_vm' "$tmp/scrape") samples)" ||
        notok "metrics: 50 VMs ($started started)" "$(cat "$tmp/promtool" 2> /dev/null)" "$(grep -c '^sis_vm_up{.*} 1$' "$tmp/scrape" 2> /dev/null) up"
"$bin" metrics --format json "${M[@]}" > "$tmp/metrics.json" 2> "$tmp/err"
/usr/bin/python3 - "$tmp/metrics.json" > "$tmp/mj" 2>&1 << 'EOF' && ok "metrics: --format json, one object per VM, each up, its memory from its cgroup" || notok "metrics json" "$(tail -3 "$tmp/mj")"
import json, sys
vms = [v for v in json.load(open(sys.argv[1]))["vms"] if v["vm"].startswith("m")]
assert len(vms) == 50 and all(v["up"] and v["backend"] == "firecracker" for v in vms)
assert all((v["memory_bytes"] or 0) > 0 and (v["cpu_s"] or -1) >= 0 for v in vms), json.dumps(vms[0])
EOF
for i in $(seq 0 49); do "$bin" clean "${M[@]}" "m$i" > /dev/null 2>&1; done

# --- nothing outlives its VM: once every VM is cleaned, no process has one of the test's uids ------------
for d in "$run"/vms/*/; do [ -d "$d" ] && "$bin" clean "${L[@]}" "$(basename "$d")" > /dev/null 2>&1; done
left=$(ps -eo uid=,stat=,pid=,args= | awk '(($1 >= 20000 && $1 <= 20009) || ($1 >= 20300 && $1 <= 20399)) && $2 !~ /^Z/')
[ -z "$left" ] && ok "clean: after every VM is cleaned, no process runs as one of their uids" || notok "clean: processes outlived their VMs" "$left"
finish
