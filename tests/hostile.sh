#!/usr/bin/env bash
# Hostile replays (root only): each attack a reviewer reproduced against sis-launch, replayed
# against the real sis-launch with stand-in VMMs, asserting the OUTCOME (the attack did not work)
# and printing what stopped it:
#   ok hostile: <what it tried>: <what happened>
#     # <what sis-launch printed>
#
# The guest is hostile and the VMM, which runs as the VM's uid in a jail directory it can write
# to, is assumed compromised. What a VMM would do to its jail is done here as the VM's uid
# (setpriv, from inside the jail's root), so that what the VMM may not do is refused here too.
#
# The attacks (one function each, attack_NAME):
#   symlinks        1. A's API socket / QMP socket (or its run/) swapped for a symlink to B's, or
#                      served by root: A's snapshot, stop and watchdog must not reach B
#   clean_umount    2. disk -> a host tmpfs: clean must not unmount it
#   vmm_net         3. the VMM's own connections (seccomp; the namespace's output chain), and
#                   11. the jail: seccomp, its session, how many files it can make
#   run_dirs        4. two --run-dir side by side: uids, /30s, veths, host tables, names, --uplink
#   deny_allow      5. --deny wins over --allow; 168.63.129.16; the blocked ranges
#   untrusted_dirs  6. run dirs, chroot bases and ledgers others can write: refused
#   forged_state    6. a forged state.json: clean signals, deletes and unmounts none of it
#   fifo_home       7. a FIFO for the home disk: snapshot neither hangs nor leaves busy/.tmp
#   dead_monitor   10. a SIGKILLed monitor: list says so and restarts it; the watchdog works
#   clean_race      8. clean of one VM racing another's launch
#   sigkill       8/9. run and restore SIGKILLed at random points, then clean: nothing left
#   restore_fifo   12. a FIFO for a copied snapshot's manifest.json, or for mem.sealed after restore
#                      checked it: restore refused at once (exit 1), nothing left
#   snap_sparse    12. snapshot/mem or the home disk made a sparse 1 GiB file: snapshot refused at once
#   log_flood      12. a VMM that refills its log FIFO as fast as root reads: run still ends, its
#                      monitor runs, and its watchdog still kills it once its API hangs
#
# The VMMs:
#   Firecracker: a stand-in jailer ($tmp/fc/jailer) that runs tests/launch/fc-server.py (through
#     tests/hostile/fc-vmm.py) as the real jailer runs Firecracker: in the VM's cgroup, as
#     --uid/--gid (setpriv), in --netns, in the jail's root; it records every request it gets in
#     run/requests.jsonl of its jail.
#   QEMU: tests/hostile/qemu-standin.c, compiled here (dynamically linked: sis-launch binds into
#     the jail what ldd lists), run by sis-launch's own jail as the VM's uid, in the VM's network
#     namespace; it speaks enough QMP, records every command it gets in hostile.qmp next to its
#     socket, and runs the test's probes (hostile.ctl -> hostile.out there).
# The network: namespaces made here only (like tests/launch-net.sh); sis-launch runs in the
# test's host namespace TH (nsenter --net). INET ("the internet", 198.51.100.1) also owns, behind
# the uplink, a private address (10.99.0.1), the metadata addresses (169.254.169.254,
# 168.63.129.16) and a CGNAT one (100.64.0.1), each with a web server: nothing is sent to an
# address no test namespace owns.
#
# Already tested elsewhere, not repeated here: the jail's capabilities, no_new_privs, seccomp mode
# 2, unshare and chroot refused, /proc subset=pid (tests/confine.sh, through confine-run); one
# winner of two racing restores and a crash between the ledger and the start (tests/launch.sh);
# the guest kept from a private and the metadata address on other interfaces, from the host and
# its link address, the deny list in the rules (tests/launch-net.sh). What holds and is kept
# tested here, through the real launch: setns, ptrace, bpf, keyctl, perf_event_open refused; no
# /sys, no /proc/sys, only the device nodes the VM needs; 0/8, 100.64/10, 169.254/16, 224/4,
# 240/4 in the VM's rules; IPv6 not forwarded.
#
# SIS_LAUNCH / SIS_AUDIT run other builds of the tools (default build/); HOSTILE_KILLS sets the
# number of SIGKILL points for run and for restore (default 20); HOSTILE_ONLY="NAME ..." runs only
# those attacks (function names without attack_).
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SIS_ROOT" || exit 1
need_root "jails, namespaces, mounts, cgroups"
need_cmd ip nsenter setpriv nft curl cc mountpoint ethtool timeout
lock_host

bin=${SIS_LAUNCH:-$SIS_ROOT/build/sis-launch}
audit=${SIS_AUDIT:-$SIS_ROOT/build/sis-audit}
[ -x "$bin" ] && [ -x "$audit" ] || { notok "hostile: $bin or $audit is not built (make)"; finish; }
H=$SIS_ROOT/tests/hostile

# Where the VMMs' sockets are, relative to the jail's root: one line each to change when the
# layout changes (HOSTILE_QMP_REL=qmp.sock for a sis-launch from before the run/ tmpfs)
QMP_REL=${HOSTILE_QMP_REL:-run/qmp.sock}
FC_SOCK_REL=run/firecracker.socket
QDIR=$([[ $QMP_REL == */* ]] && echo "${QMP_REL%/*}")
FCDIR=${FC_SOCK_REL%/*}

sfx=$(($$ % 100000))
P=h$sfx                         # every VM name here starts with it (VM names are host-wide)
UIDS=20400-20439 UID_LO=20400 UID_HI=20439
J=$tmp/jail R1=$tmp/run R2=$tmp/run2
TH=sish-th-$sfx INET=sish-in-$sfx
chmod 0700 "$tmp" # the run dirs, jails and ledgers below are trusted ones: root's, under /tmp (sticky)

# --- reporting --------------------------------------------------------------------------------
pass() { # NAME [COMMENT...]: ok, then each comment as a "#" line
        ok "hostile: $1"
        shift
        local c l
        for c in "$@"; do
                [ -n "$c" ] || continue
                while IFS= read -r l; do echo "  # $l"; done <<< "$c"
        done
}
fail() { # NAME [DETAIL...]
        local n=$1
        shift
        notok "hostile: $n" "$@"
}
# the error sis-launch printed: its last "sis-launch:" line, else its last line
errline() {
        local l
        l=$(grep -a '^sis-launch:' "$1" 2> /dev/null | tail -1)
        [ -n "$l" ] || l=$(tail -1 "$1" 2> /dev/null)
        echo "${l:-(no output)}"
}

# --- helpers ------------------------------------------------------------------------------------
launched=()                     # "RUN NAME" of every VM started (cleaned at exit)
sl() { inns "$TH" "$bin" "$@"; } # sis-launch in the test's host namespace
clean_vm() { sl clean --run-dir "$1" --chroot-base "$J" "$2" > "$tmp/clean-$2.out" 2>&1; }
run_vm() { # RUN NAME ARGS...: starts a VM, output in $tmp/run-NAME.out
        local run=$1 name=$2
        shift 2
        launched+=("$run $name")
        sl run --name "$name" --run-dir "$run" --chroot-base "$J" --uid-range "$UIDS" "${IMG[@]}" "$@" > "$tmp/run-$name.out" 2>&1
}
run_fc() { local r=$1 n=$2; shift 2; run_vm "$r" "$n" "${FCX[@]}" "$@"; }
run_q() { local r=$1 n=$2; shift 2; run_vm "$r" "$n" "${QX[@]}" "$@"; }
stj() { # RUN NAME PYTHON-EXPR: a value from the VM's state.json (s)
        /usr/bin/python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
                "$1/vms/$2/state.json" "$3" 2> /dev/null
}
vmroot() { echo "$J/$1/$2/root"; }     # BACKEND NAME
asvm() { # UID DIR CMD...: CMD as the VM's uid in DIR, as its VMM could (DIR's parents are not its own)
        local u=$1 d=$2
        shift 2
        (cd "$d" && exec setpriv --reuid="$u" --regid="$u" --clear-groups -- "$@")
}
vmm_ctl() { # ROOT LINE...: the QEMU stand-in runs LINEs; prints its answer
        local d=$1${QDIR:+/$QDIR}
        shift
        rm -f "$d/hostile.out"
        printf '%s\n' "$@" > "$d/hostile.ctl.tmp" && mv "$d/hostile.ctl.tmp" "$d/hostile.ctl" || return 1
        wait_until 20 answered "$d/hostile.out" || return 1
        cat "$d/hostile.out"
}
answered() { [ "$(tail -1 "$1" 2> /dev/null)" = "done" ]; }
monitor_of() { # RUN NAME: the monitor's pid, from the VM's state or the host's registry
        local m
        m=$(stj "$1" "$2" "s.get('monitor', '')")
        [ -n "$m" ] || m=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1])).get("monitor", ""))' \
                "/run/sis/registry/$2.json" 2> /dev/null)
        echo "$m"
}
alive() { [ -n "$1" ] && [ "$1" -gt 1 ] 2> /dev/null && ! gone "$1"; }
lines_of() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }
since_line() { [ -f "$1" ] && tail -n "+$(($2 + 1))" "$1"; } # FILE N: what was added after line N
sid_of() { sed 's/.*) //' "/proc/$1/stat" 2> /dev/null | awk '{ print $4 }'; }
uid_procs() { # live processes with a uid in the test's range: "PID UID COMM"
        ps -eo pid=,uid=,stat=,comm= | awk -v lo="$UID_LO" -v hi="$UID_HI" '$2 >= lo && $2 <= hi && $3 !~ /^Z/ { print $1, $2, $4 }'
}
th_links() { inns "$TH" ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort; }
th_tables() { inns "$TH" nft list tables 2> /dev/null | sort; }
th_get() { inns "$TH" curl -s --max-time 2 -o /dev/null -w '%{http_code}' "$1" 2> /dev/null; }
no_uid_procs() { [ -z "$(uid_procs)" ]; }

# A guest for VM NAME: a namespace whose eth0 (172.16.0.2/30) is relayed to the VM's tap0 as the
# VM's uid (tests/launch/tap-relay.py), as in tests/launch-net.sh. Sets guest_ns and relay_pid.
nguest=0
guest_attach() { # VM-NAME UID
        local vm=$1 u=$2 g gw ge
        nguest=$((nguest + 1))
        g=sish-g$nguest-$sfx gw=hg$nguest-$sfx ge=hge$nguest-$sfx
        netns_new "$g" || return 1
        ip link add "$gw" type veth peer name "$ge" &&
                ip link set "$gw" netns "sis-$vm" && ip link set "$ge" netns "$g" &&
                ip -n "sis-$vm" link set "$gw" arp off up && ip -n "$g" link set "$ge" name eth0 &&
                ip -n "$g" addr add 172.16.0.2/30 dev eth0 && ip -n "$g" link set eth0 up &&
                ip -n "$g" route add default via 172.16.0.1 || return 1
        ip netns exec "$g" ethtool -K eth0 tx off > /dev/null 2>&1
        ip netns exec "sis-$vm" /usr/bin/python3 tests/launch/tap-relay.py tap0 "$gw" "$u" > "$tmp/relay-$nguest.log" 2>&1 &
        relay_pid=$!
        on_exit "kill $relay_pid 2>/dev/null"
        guest_ns=$g
        wait_until 5 grep -q attached "$tmp/relay-$nguest.log"
}
guest_get() { ip netns exec "$1" curl -s --max-time 2 -o /dev/null -w '%{http_code}' "$2" 2> /dev/null; }
reaches() { [ "$(guest_get "$1" http://198.51.100.1:8080/marker.txt)" = 200 ]; } # GUEST-NS: through NAT

# everything a run may leave, whatever sis-launch's clean does today
cleanup_all() {
        local e p m
        for e in "${launched[@]}"; do clean_vm "${e% *}" "${e#* }"; done
        for p in $(uid_procs | awk '{ print $1 }'); do kill -9 "$p" 2> /dev/null; done
        for e in "${launched[@]}"; do
                [ -e "/run/netns/sis-${e#* }" ] && ip netns del "sis-${e#* }" 2> /dev/null
                for m in /sys/fs/cgroup/*/qemu/"${e#* }" /sys/fs/cgroup/*/firecracker/"${e#* }" /sys/fs/cgroup/qemu/"${e#* }"; do
                        [ -d "$m" ] && rmdir "$m" 2> /dev/null
                done
        done
        awk -v t="$tmp/" 'index($2, t) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do umount -l "$m"; done
        # what the cleans left in the host's registry (their entries would hold names and uids)
        rm -f /run/sis/registry/"$P"-*
}
on_exit cleanup_all

# --- the world ----------------------------------------------------------------------------------
netns_new "$TH" && netns_new "$INET" && uplink_world "$TH" "$INET" || { notok "hostile: test namespaces"; finish; }
for a in 10.99.0.1 169.254.169.254 168.63.129.16 100.64.0.1; do ip -n "$INET" addr add "$a/32" dev lo; done
ip -n "$TH" link add up1 type veth peer name up1p && ip -n "$TH" link set up1 up # another uplink, for --uplink
mkdir -p "$tmp/www" && echo reached > "$tmp/www/marker.txt"
ip netns exec "$INET" /usr/bin/python3 -m http.server --bind 0.0.0.0 --directory "$tmp/www" 8080 > /dev/null 2>&1 &
websrv=$!
on_exit "kill $websrv 2>/dev/null"
th_reaches() { [ "$(th_get http://198.51.100.1:8080/marker.txt)" = 200 ]; }
wait_until 5 th_reaches || { notok "hostile: the test's web server"; finish; }

# inputs: a kernel and a rootfs nothing boots, a home disk template
mkdir -p "$tmp/img"
fake_kernel "$tmp/img/vmlinux" 6.1.0-sis 64
head -c 1M /dev/urandom > "$tmp/img/rootfs.ext4"
truncate -s 16M "$tmp/img/home.ext4"
IMG=(--kernel "$tmp/img/vmlinux" --rootfs "$tmp/img/rootfs.ext4")
# snapshots: the test's own key (root's, 0600), the images found by hash in $tmp/img; each
# snapshot's ledger is given where it is made
mkdir -m 0700 "$tmp/keys" "$tmp/ledgers"
head -c 32 /dev/urandom > "$tmp/keys/snapshot.key"
chmod 600 "$tmp/keys/snapshot.key"
SNK=(--key "$tmp/keys/snapshot.key" --images "$tmp/img")

# the Firecracker stand-in: a jailer that drops to the VM's uid (as the real one does) and runs
# the recording API server in the jail's root
mkdir -p "$tmp/fc"
cat > "$tmp/fc/jailer" << EOF
$STANDIN_JAILER_HEAD
# stand-in jailer (tests/hostile.sh): the VMM runs as the real jailer runs it: in the VM's cgroup
# (firecracker/<id>), as --uid/--gid, in --netns, in the jail's root (its working directory: it
# cannot reach the jail by its host path, whose parents are root's)
cg=\$(cgdir pids)
mkdirs "\$cg" || exit 1
cd "\$base/firecracker/\$id/root" || exit 1
# as the real jailer does: the jail's /, /dev and /run become the VM uid's, 0700
mkdir -p dev run && chown "\$uid:\$gid" . dev run && chmod 700 . dev run
[ -d "$FCDIR" ] || install -d -o "\$uid" -g "\$gid" -m 0700 "$FCDIR"
ns=()
[ -n "\$netns" ] && ns=(nsenter --net="\$netns")
# the real jailer's file-size limit (--resource-limit fsize=N); what an attack has this VM's VMM do
# besides (fc-vmm.py's options, from $tmp/fc/vmm-args.ID)
more=()
for a in "\${args[@]}"; do [[ \$a == fsize=* ]] && more+=(--fsize "\${a#fsize=}"); done
[ -f "$tmp/fc/vmm-args.\$id" ] && read -r -a x < "$tmp/fc/vmm-args.\$id" && more+=("\${x[@]}")
# shellcheck disable=SC2016 # \$\$ and \$1 belong to the inner shell
setsid sh -c 'echo \$\$ > "\$1/cgroup.procs" && shift && exec "\$@"' sh "\$cg" "\${ns[@]}" \\
        setpriv --reuid="\$uid" --regid="\$gid" --clear-groups -- /usr/bin/python3 $H/fc-vmm.py \\
        --socket "$FC_SOCK_REL" --record "$FCDIR/requests.jsonl" "\${more[@]}" < /dev/null > /dev/null 2>&1 &
echo \$! > firecracker.pid
EOF
# its --version probe runs $tmp/fc/version-hook first when there is one: a moment inside a restore,
# after the snapshot's files were checked and before they are opened (attack_restore_fifo)
printf '#!/bin/sh\n[ -x %s ] && %s > /dev/null 2>&1\necho "Firecracker v1.16.1"\n' "$tmp/fc/version-hook" "$tmp/fc/version-hook" > "$tmp/fc/firecracker"
chmod 755 "$tmp/fc/jailer" "$tmp/fc/firecracker"
dev_policy "$tmp/fc" "$J" "$UIDS" "sis hostile tests" > /dev/null
# the QEMU stand-in, root-owned like a real VMM binary (the audit's jail.binaries)
mkdir -p "$tmp/bin"
QEMU=$tmp/bin/qemu-hostile
cc -O1 -Wall -o "$QEMU" "$H/qemu-standin.c" 2> "$tmp/cc.err" || { notok "hostile: the QEMU stand-in does not compile" "$(cat "$tmp/cc.err")"; finish; }
chmod 755 "$tmp/bin" "$QEMU"
"$audit" --format json --qemu "$QEMU" --chroot-base "$J" --jail-uid "$UIDS" --jail-gid "$UIDS" > "$tmp/qemu-audit.json" 2> /dev/null
/usr/bin/python3 tests/launch/dev-policy.py "$tmp/qemu-audit.json" "$tmp/qemu-policy.json" "sis hostile tests"
chmod 644 "$tmp/qemu-policy.json"
FCX=(--jailer "$tmp/fc/jailer" --firecracker "$tmp/fc/firecracker" --policy "$tmp/fc/dev-policy.json")
QX=(--backend qemu --accel tcg --qemu "$QEMU" --policy "$tmp/qemu-policy.json")

# ==================================================================================================
# 1. Root follows the VMM's symlinks to another VM's socket
# ==================================================================================================
# A's VMM swaps its API socket (or the directory holding it) for a symlink to B's, or a process of
# another uid serves A's socket path. Then A's snapshot, stop and watchdog must not reach B.
attack_symlinks() {
        local B=$P-fb A1=$P-fa1 A2=$P-fa2 A3=$P-fa3 QB=$P-qb QA1=$P-qa1 QA2=$P-qa2 QA3=$P-qa3 v u r o
        local fcs=("$A1" "$A2" "$A3") qs=("$QA1" "$QA3")
        [ -n "$QDIR" ] && qs=("$QA1" "$QA2" "$QA3")
        run_fc "$R1" "$B" --net none --watchdog 0 || { fail "symlinks: victim B starts" "$(errline "$tmp/run-$B.out")"; return; }
        run_q "$R1" "$QB" --net none --watchdog 0 || { fail "symlinks: victim QEMU B starts" "$(errline "$tmp/run-$QB.out")"; return; }
        for v in "${fcs[@]}"; do run_fc "$R1" "$v" --net none --watchdog 1 || fail "symlinks: $v starts" "$(errline "$tmp/run-$v.out")"; done
        for v in "${qs[@]}"; do run_q "$R1" "$v" --net none --watchdog 1 || fail "symlinks: $v starts" "$(errline "$tmp/run-$v.out")"; done
        local rB rQB recB recQB rogue=$tmp/rogue.jsonl
        rB=$(vmroot firecracker "$B") rQB=$(vmroot qemu "$QB")
        recB=$rB/$FCDIR/requests.jsonl recQB=$rQB${QDIR:+/$QDIR}/hostile.qmp
        local nB nQB pB pQB
        wait_until 5 test -S "$rB/$FC_SOCK_REL"
        nB=$(lines_of "$recB") nQB=$(lines_of "$recQB")
        pB=$(stj "$R1" "$B" "s['pid']") pQB=$(stj "$R1" "$QB" "s['pid']")
        declare -A how made
        swap() { # VM BACKEND WHAT SHELL-COMMAND: the VM's VMM swaps WHAT, as its uid
                local u o
                u=$(stj "$R1" "$1" "s['uid']")
                if o=$(asvm "$u" "$(vmroot "$2" "$1")" sh -c "$4" 2>&1); then how[$1]="its VMM replaced $3 with a symlink to B's" made[$1]=1
                else how[$1]="its VMM cannot replace $3 ($(tail -1 <<< "$o"))" made[$1]=; fi
        }
        swap "$A1" firecracker "$FC_SOCK_REL" "rm -f $FC_SOCK_REL && ln -s $rB/$FC_SOCK_REL $FC_SOCK_REL"
        swap "$QA1" qemu "$QMP_REL" "rm -f $QMP_REL && ln -s $rQB/$QMP_REL $QMP_REL"
        swap "$A2" firecracker "$FCDIR/" "mv $FCDIR $FCDIR.away && ln -s $rB/$FCDIR $FCDIR"
        [ -n "$QDIR" ] && swap "$QA2" qemu "$QDIR/" "mv $QDIR $QDIR.away && ln -s $rQB/$QDIR $QDIR"
        # a socket served by root where A's VMM's should be
        r=$(vmroot firecracker "$A3")
        rm -f "$r/$FC_SOCK_REL"
        setsid /usr/bin/python3 tests/launch/fc-server.py --socket "$r/$FC_SOCK_REL" --record "$rogue" < /dev/null > /dev/null 2>&1 &
        on_exit "kill $! 2>/dev/null"
        how[$A3]="a root process serves its $FC_SOCK_REL" made[$A3]=1
        wait_until 5 test -S "$r/$FC_SOCK_REL"
        r=$(vmroot qemu "$QA3")
        rm -f "$r/$QMP_REL"
        setsid "$QEMU" -name rogue -qmp "unix:$r/$QMP_REL,server=on,wait=off" < /dev/null > /dev/null 2>&1 &
        on_exit "kill $! 2>/dev/null"
        how[$QA3]="a root process serves its $QMP_REL" made[$QA3]=1
        wait_until 5 test -S "$r/$QMP_REL"
        # three watchdog intervals of A's monitors (--watchdog 1)
        sleep 3.5
        local snap rc what
        for v in "${fcs[@]}" "${qs[@]}"; do
                snap=$tmp/snap-$v
                sl snapshot "$v" --out "$snap" --run-dir "$R1" --chroot-base "$J" "${SNK[@]}" --ledger "$tmp/ledgers/sym" > "$tmp/snap-$v.out" 2>&1
                rc=$?
                o=$(head -c 200 "$snap/vmstate" 2> /dev/null | tr -d '\0')
                if [ -z "${made[$v]}" ]; then
                        # the attack could not be made: the snapshot is A's own (QEMU: its own state)
                        if [ "$rc" != 0 ] || { has 'vm=' "$o" && ! has "vm=$v( |\$)" "$o"; }; then
                                fail "symlinks: ${how[$v]}: snapshot of $v is its own" "exit $rc: $(errline "$tmp/snap-$v.out")" "$(grep -ao 'vm=[^ ]*' <<< "$o")"
                        else
                                pass "symlinks: ${how[$v]}: snapshot of $v is its own" "$(grep -ao 'vm=[^ ]*' <<< "$o")"
                        fi
                elif [ "$rc" = 0 ] || [ -e "$snap" ]; then
                        what="snapshot of $v taken (exit $rc)"
                        has 'vm=' "$o" && what="$what, holding the state of $(grep -ao 'vm=[^ ]*' <<< "$o")"
                        fail "symlinks: ${how[$v]}: snapshot of $v refused" "$what" "$(errline "$tmp/snap-$v.out")"
                else
                        pass "symlinks: ${how[$v]}: snapshot of $v refused" "$(errline "$tmp/snap-$v.out")"
                fi
                sl stop "$v" --timeout 0 --run-dir "$R1" > "$tmp/stop-$v.out" 2>&1
        done
        sleep 0.3
        # what B's VMMs and the root servers were asked, since the attacks began
        local addB addQB addR
        addB=$(since_line "$recB" "$nB") addQB=$(since_line "$recQB" "$nQB")
        # B's own monitor asks B's QEMU for its block counters every 5 s (a session of
        # qmp_capabilities and query-blockstats): B's, not A's. A's monitors, were they let through,
        # would ask query-status first (their watchdog is on), and A's snapshot and stop send theirs
        addQB=$(grep -vE 'qmp (qmp_capabilities|query-blockstats)$' <<< "$addQB")
        addR=$(cat "$rogue" 2> /dev/null; grep '^name=rogue ' "$(vmroot qemu "$QA3")${QDIR:+/$QDIR}/hostile.qmp" 2> /dev/null)
        local seen=()
        has '"path": "/vm".*Paused' "$addB" && seen+=("paused by A's snapshot")
        has '/snapshot/create' "$addB" && seen+=("snapshotted (into B's jail)")
        has 'SendCtrlAltDel' "$addB" && seen+=("sent Ctrl-Alt-Del by A's stop")
        has '"method": "GET"' "$addB" && seen+=("checked by A's watchdog")
        if [ ${#seen[@]} = 0 ] && [ -z "$addB" ] && alive "$pB"; then
                pass "symlinks (firecracker): A's snapshot, stop and watchdog never reached B; B still running" \
                        "B's VMM got no request after the attacks began"
        else
                fail "symlinks (firecracker): A's snapshot, stop and watchdog never reached B; B still running" \
                        "B was: ${seen[*]:-(nothing)}$(alive "$pB" || echo "; B's VMM is gone")" "$(lines 6 "$addB")"
        fi
        seen=()
        has 'qmp stop' "$addQB" && seen+=("paused (stop) by A's snapshot")
        has 'qmp migrate' "$addQB" && seen+=("migrated into A's snapshot")
        has 'qmp system_powerdown' "$addQB" && seen+=("powered down by A's stop")
        has 'qmp query-status' "$addQB" && seen+=("queried by A's watchdog")
        if [ ${#seen[@]} = 0 ] && [ -z "$addQB" ] && alive "$pQB"; then
                pass "symlinks (qemu): A's snapshot, stop and watchdog never reached B; B still running" \
                        "B's QEMU got no QMP command after the attacks began"
        else
                fail "symlinks (qemu): A's snapshot, stop and watchdog never reached B; B still running" \
                        "B was: ${seen[*]:-(nothing)}$(alive "$pQB" || echo "; B's QEMU is gone")" "$(lines 6 "$addQB")"
        fi
        if [ -z "$addR" ]; then
                pass "symlinks: sockets served by root in A's jails (firecracker, qemu): never spoken to (snapshot, stop, watchdog)" \
                        "$(errline "$tmp/snap-$A3.out")" "$(errline "$tmp/snap-$QA3.out")"
        else
                fail "symlinks: sockets served by root in A's jails (firecracker, qemu): never spoken to (snapshot, stop, watchdog)" \
                        "the root servers were asked:" "$(lines 6 "$addR")"
        fi
        [ -z "$QDIR" ] && skip "hostile: symlinks (qemu): its run/ replaced by a symlink" "QMP's socket is not in a directory of its own yet (QMP_REL=$QMP_REL)"
        for v in "$B" "$QB" "${fcs[@]}" "${qs[@]}"; do clean_vm "$R1" "$v"; done
}

# ==================================================================================================
# 2. clean must not unmount host mounts
# ==================================================================================================
attack_clean_umount() {
        local C=$P-um u r m=$tmp/victim-mnt how
        run_fc "$R1" "$C" --net none --watchdog 0 || { fail "clean: $C starts" "$(errline "$tmp/run-$C.out")"; return; }
        mkdir -p "$m" && mount -t tmpfs -o size=1m hostile-victim "$m" && echo keep > "$m/keep"
        u=$(stj "$R1" "$C" "s['uid']") r=$(vmroot firecracker "$C")
        how=$(asvm "$u" "$r" ln -s "$m" disk 2>&1) && how="its VMM planted disk -> $m (a tmpfs of the host)" ||
                how="its VMM could not plant disk -> $m ($how)"
        clean_vm "$R1" "$C"
        if mountpoint -q "$m" && [ -f "$m/keep" ]; then
                pass "clean: $how: the host's tmpfs is still mounted, its files there" "$(errline "$tmp/clean-$C.out")"
        else
                fail "clean: $how: the host's tmpfs is still mounted, its files there" "clean of $C unmounted or emptied it"
        fi
        umount "$m" 2> /dev/null
}

# ==================================================================================================
# 3. + 11. The VMM's own traffic, and what the jail lets it do (QEMU stand-in under the real jail)
# ==================================================================================================
attack_vmm_net() {
        local Q=$P-qn u pid r ans bad=() okv=() l a url s made code
        run_q "$R1" "$Q" --watchdog 0 || { fail "vmm: $Q starts" "$(errline "$tmp/run-$Q.out")"; return; }
        u=$(stj "$R1" "$Q" "s['uid']") pid=$(stj "$R1" "$Q" "s['pid']") r=$(vmroot qemu "$Q")
        [ "$(readlink "/proc/$pid/ns/net")" = "$(ip netns exec "sis-$Q" readlink /proc/self/ns/net)" ] &&
                pass "vmm: the stand-in QEMU runs in the VM's network namespace (uid $u)" ||
                fail "vmm: the stand-in QEMU runs in the VM's network namespace"
        ans=$(vmm_ctl "$r" "connect 169.254.169.254 8080" "connect 10.99.0.1 8080" "connect 198.51.100.1 8080" "syscalls" "env" "fill 200") ||
                { fail "vmm: the stand-in answers its probes" "$(tail -3 "$R1/vms/$Q/qemu.log" 2> /dev/null)"; clean_vm "$R1" "$Q"; return; }
        echo "$ans" > "$tmp/probes-$Q.txt"
        # 3: the metadata and a private address behind the uplink
        for a in 169.254.169.254 10.99.0.1; do
                l=$(grep "^connect $a " <<< "$ans")
                if has ' ok' "$l"; then fail "vmm: the jailed QEMU connects to $a:8080 (behind the uplink)" "$l"
                else pass "vmm: the jailed QEMU connects to $a:8080 (behind the uplink): refused" "$l"; fi
        done
        # 3, second layer: a process of the VM's namespace without the seccomp filter
        for url in http://169.254.169.254:8080/marker.txt http://10.99.0.1:8080/marker.txt http://198.51.100.1:8080/marker.txt; do
                code=$(ip netns exec "sis-$Q" setpriv --reuid="$u" --regid="$u" --clear-groups -- \
                        curl -s --max-time 2 -o /dev/null -w '%{http_code}' "$url" 2> /dev/null)
                if [ "$code" = 200 ]; then fail "vmm: curl as uid $u in the VM's namespace (no seccomp) to $url" "HTTP 200: it got there"
                else pass "vmm: curl as uid $u in the VM's namespace (no seccomp) to $url: dropped" "curl: HTTP ${code:-none}"; fi
        done
        # 11: seccomp
        for s in io_uring_setup userfaultfd modify_ldt kcmp socket-inet socket-inet6 socket-netlink socket-vsock; do
                l=$(grep "^syscall $s " <<< "$ans")
                if [ -z "$l" ] || has ' ok$' "$l"; then bad+=("$s"); else okv+=("${l#syscall }"); fi
        done
        if [ ${#bad[@]} = 0 ]; then pass "jail: the jailed QEMU's io_uring, userfaultfd, modify_ldt, kcmp, AF_INET/INET6/NETLINK/VSOCK sockets: refused" "${okv[*]}"
        else fail "jail: the jailed QEMU's io_uring, userfaultfd, modify_ldt, kcmp, AF_INET/INET6/NETLINK/VSOCK sockets: refused" "allowed: ${bad[*]}" "refused: ${okv[*]}"; fi
        # what holds today, through the real launch: kept tested
        bad=() okv=()
        for s in setns ptrace bpf keyctl perf_event_open; do
                l=$(grep "^syscall $s " <<< "$ans")
                case $s in setns | ptrace) has ' EPERM$' "$l" ;; *) [ -n "$l" ] && ! has ' ok$' "$l" ;; esac && okv+=("${l#syscall }") || bad+=("${l:-$s: no answer}")
        done
        [ ${#bad[@]} = 0 ] && pass "jail: setns, ptrace, bpf, keyctl, perf_event_open refused (holds)" "${okv[*]}" ||
                fail "jail: setns, ptrace, bpf, keyctl, perf_event_open refused (holds)" "${bad[*]}"
        # /dev by name (an allowlist may refuse listing it), and as listed where it can be
        local present dev
        l=$(sed -n 's/^fsize //p' <<< "$ans")
        if [[ $l =~ ^[0-9]+$ ]] && [ "$l" -le $((1 << 30)) ]; then pass "jail: the VMM may write no file larger than $((l >> 20)) MiB (RLIMIT_FSIZE)" "fsize $l"
        else fail "jail: the VMM's file size is limited (RLIMIT_FSIZE)" "fsize ${l:-no answer}"; fi
        present=$(sed -n 's/^devnodes: //p' <<< "$ans" | tr ' ' '\n' | sed -n 's/=present$//p' | sort | tr '\n' ' ')
        dev=$(sed -n 's/^dev: //p' <<< "$ans" | tr ' ' '\n' | sort | tr '\n' ' ')
        if has '^sys ENOENT$' "$ans" && has '^procsys ENOENT$' "$ans" && [ "$present" = "net/tun null urandom " ] &&
                { [ -z "${dev// /}" ] || [ "$dev" = "net null urandom " ]; }; then
                pass "jail: no /sys, no /proc/sys; of 36 device nodes looked for, only null, urandom, net/tun (holds)" \
                        "$(grep -E '^(sys|procsys) ' <<< "$ans" | tr '\n' ' ')/dev listed: ${dev:-(not listable)}"
        else
                fail "jail: no /sys, no /proc/sys; of 36 device nodes looked for, only null, urandom, net/tun (holds)" \
                        "$(grep -E '^(sys|procsys) ' <<< "$ans" | tr '\n' ' ')" "present: $present" "/dev listed: $dev"
        fi
        l=$(grep '^fill ' <<< "$ans")
        read -r _ made _ <<< "$l"
        if [ -n "$made" ] && [ "$made" -lt 64 ]; then pass "jail: the VMM fills its jail with 200 files: only $made made" "$l"
        else fail "jail: the VMM fills its jail with 200 files: no more than a few made" "$l: the VMM made ${made:-?} files in the jail's root (on the host's disk)"; fi
        s=$(sid_of "$pid")
        if [ -n "$s" ] && [ "$s" != "$(sid_of $$)" ]; then pass "jail: the VMM is in a session of its own (session $s)"
        else fail "jail: the VMM is in a session of its own" "session ${s:-?}: the test's own ($(sid_of $$)), the terminal's for TIOCSTI"; fi
        clean_vm "$R1" "$Q"
}

# ==================================================================================================
# 4. Two run dirs side by side, and 5. deny wins over allow
# ==================================================================================================
x_state() { # what of VM X (run dir, name) is missing: its VMM, veth, tables, jail, namespace
        local run=$1 x=$2 t miss=()
        alive "$(stj "$run" "$x" "s['pid']")" || miss+=("its VMM")
        inns "$TH" ip link show "$x_if" > /dev/null 2>&1 || miss+=("its veth $x_if")
        while read -r t; do [ -z "$t" ] || has "^$t\$" "$(th_tables)" || miss+=("host $t"); done <<< "$x_tables"
        [ -d "$(vmroot firecracker "$x")" ] || miss+=("its jail")
        [ -e "/run/netns/sis-$x" ] || miss+=("its namespace")
        [ "$(stj "$run" "$x" "s['uid']")" = "$x_uid" ] || miss+=("its state's uid")
        echo "${miss[*]}"
}
attack_run_dirs() {
        local X=$P-x Y=$P-y Z=$P-z t0 ts1 ts2 m rc
        t0=$(th_tables)
        run_fc "$R1" "$X" --watchdog 0 || { fail "run dirs: $X starts" "$(errline "$tmp/run-$X.out")"; return; }
        x_if=$(stj "$R1" "$X" "s['net']['host_if']") x_uid=$(stj "$R1" "$X" "s['uid']")
        ts1=$(th_tables)
        x_tables=$(comm -13 <(echo "$t0") <(echo "$ts1"))
        guest_attach "$X" "$x_uid" || { fail "run dirs: a guest for $X" "$(cat "$tmp/relay-$nguest.log")"; return; }
        local gx=$guest_ns
        wait_until 5 reaches "$gx" ||
                { fail "run dirs: X's guest reaches the internet namespace (precondition)"; clean_vm "$R1" "$X"; return; }
        # Y in another run dir, default pool
        run_fc "$R2" "$Y" --watchdog 0
        rc=$?
        if [ "$rc" = 0 ]; then
                local y_if y_uid y_ip x_ip
                y_if=$(stj "$R2" "$Y" "s['net']['host_if']") y_uid=$(stj "$R2" "$Y" "s['uid']")
                y_ip=$(stj "$R2" "$Y" "s['net']['host_ip']") x_ip=$(stj "$R1" "$X" "s['net']['host_ip']")
                ts2=$(th_tables)
                if [ "$y_if" != "$x_if" ] && [ "$y_uid" != "$x_uid" ] && [ "$y_ip" != "$x_ip" ] && [ -n "$(comm -13 <(echo "$ts1") <(echo "$ts2"))" ]; then
                        pass "run dirs: a VM in a second run dir gets its own interface, uid, /30 and host table" \
                                "X: $x_if uid $x_uid $x_ip; Y: $y_if uid $y_uid $y_ip; Y's table: $(comm -13 <(echo "$ts1") <(echo "$ts2") | tr '\n' ' ')"
                else
                        fail "run dirs: a VM in a second run dir gets its own interface, uid, /30 and host table" \
                                "X: $x_if uid $x_uid $x_ip; Y: $y_if uid $y_uid $y_ip; host tables before Y: $(tr '\n' ' ' <<< "$ts1")after: $(tr '\n' ' ' <<< "$ts2")"
                fi
        else
                fail "run dirs: a VM in a second run dir (default pool) starts beside X" "$(errline "$tmp/run-$Y.out")"
        fi
        m=$(x_state "$R1" "$X")
        [ -z "$m" ] && pass "run dirs: Y's start left X's VMM, veth, host table, jail and namespace alone" ||
                fail "run dirs: Y's start (exit $rc) left X's VMM, veth, host table, jail and namespace alone" "X lost: $m" "$(errline "$tmp/run-$Y.out")"
        clean_vm "$R2" "$Y"
        m=$(x_state "$R1" "$X")
        [ -z "$m" ] && reaches "$gx" &&
                pass "run dirs: Y's teardown left X whole; X's guest still reaches the internet" ||
                fail "run dirs: Y's teardown left X whole; X's guest still reaches the internet" "X lost: ${m:-its NAT}"
        # the same name in the second run dir
        run_fc "$R2" "$X" --watchdog 0
        rc=$?
        m=$(x_state "$R1" "$X")
        if [ "$rc" != 0 ] && [ -z "$m" ] && reaches "$gx"; then
                pass "run dirs: the name $X again in a second run dir: refused; its undo left X whole" "$(errline "$tmp/run-$X.out")"
        else
                fail "run dirs: the name $X again in a second run dir: refused; its undo left X whole" \
                        "exit $rc$([ -n "$m" ] && echo "; X lost: $m")" "$(errline "$tmp/run-$X.out")"
        fi
        [ "$rc" = 0 ] && clean_vm "$R2" "$X"
        # --uplink on another VM does not move X's NAT
        run_fc "$R2" "$Z" --watchdog 0 --uplink up1 || fail "run dirs: $Z (--uplink up1) starts" "$(errline "$tmp/run-$Z.out")"
        if reaches "$gx"; then
                pass "run dirs: another VM's --uplink up1 leaves X's NAT out of up0 working"
        else
                fail "run dirs: another VM's --uplink up1 leaves X's NAT out of up0 working" "X's guest no longer reaches 198.51.100.1" \
                        "$(lines 4 "$(inns "$TH" nft list ruleset 2> /dev/null | grep -E 'masquerade|oifname')")"
        fi
        clean_vm "$R2" "$Z"
        reaches "$gx" &&
                pass "run dirs: that VM's teardown leaves X's NAT working" ||
                fail "run dirs: that VM's teardown leaves X's NAT working" "X's guest no longer reaches 198.51.100.1; host tables: $(th_tables | tr '\n' ' ')"
        kill "$relay_pid" 2> /dev/null
        clean_vm "$R1" "$X"
}

attack_deny_allow() {
        local W=$P-w u g code
        run_fc "$R1" "$W" --watchdog 0 --allow 169.254.0.0/16 --deny 169.254.169.254/32 ||
                { fail "firewall: $W starts" "$(errline "$tmp/run-$W.out")"; return; }
        u=$(stj "$R1" "$W" "s['uid']")
        guest_attach "$W" "$u" || { fail "firewall: a guest for $W"; clean_vm "$R1" "$W"; return; }
        g=$guest_ns
        wait_until 5 reaches "$g" ||
                { fail "firewall: W's guest reaches the internet namespace (precondition)"; clean_vm "$R1" "$W"; return; }
        code=$(guest_get "$g" http://169.254.169.254:8080/marker.txt)
        [ "$code" != 200 ] && pass "firewall: --allow 169.254.0.0/16 --deny 169.254.169.254/32: the guest does not reach the metadata server" "curl: HTTP $code" ||
                fail "firewall: --allow 169.254.0.0/16 --deny 169.254.169.254/32: the guest does not reach the metadata server" "HTTP 200: allow won over deny"
        code=$(guest_get "$g" http://168.63.129.16:8080/marker.txt)
        [ "$code" != 200 ] && pass "firewall: the guest does not reach 168.63.129.16 (Azure's wireserver)" "curl: HTTP $code" ||
                fail "firewall: the guest does not reach 168.63.129.16 (Azure's wireserver)" "HTTP 200"
        code=$(guest_get "$g" http://100.64.0.1:8080/marker.txt)
        [ "$code" != 200 ] && pass "firewall: the guest does not reach 100.64.0.1 (CGNAT) behind the uplink (holds)" ||
                fail "firewall: the guest does not reach 100.64.0.1 (CGNAT) behind the uplink (holds)" "HTTP 200"
        code=$(guest_get "$g" http://10.99.0.1:8080/marker.txt)
        [ "$code" != 200 ] && pass "firewall: the guest does not reach 10.99.0.1 behind the uplink (holds)" ||
                fail "firewall: the guest does not reach 10.99.0.1 behind the uplink (holds)" "HTTP 200"
        # the ranges no traffic here can try: in the VM's rules
        ip netns exec "sis-$W" nft list ruleset > "$tmp/ruleset-$W" 2>&1
        local missing
        missing=$(/usr/bin/python3 - "$tmp/ruleset-$W" << 'PY'
import ipaddress, re, sys
text = open(sys.argv[1]).read()
nets = [ipaddress.ip_network(m, strict=False) for m in re.findall(r"\b\d+\.\d+\.\d+\.\d+/\d+\b", text)]
for a, b in re.findall(r"\b(\d+\.\d+\.\d+\.\d+)-(\d+\.\d+\.\d+\.\d+)\b", text):
    nets += list(ipaddress.summarize_address_range(ipaddress.ip_address(a), ipaddress.ip_address(b)))
want = ["0.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "224.0.0.0/4", "240.0.0.0/4"]
print(" ".join(w for w in want if not any(ipaddress.ip_network(w).subnet_of(n) for n in nets)))
PY
)
        [ -z "$missing" ] && pass "firewall: 0/8, 100.64/10, 169.254/16, 224/4, 240/4 are in the VM's rules (holds)" ||
                fail "firewall: 0/8, 100.64/10, 169.254/16, 224/4, 240/4 are in the VM's rules (holds)" "missing: $missing"
        [ "$(ip netns exec "sis-$W" cat /proc/sys/net/ipv6/conf/all/forwarding)" = 0 ] &&
                pass "firewall: IPv6 is not forwarded in the VM's namespace (holds)" || fail "firewall: IPv6 is not forwarded in the VM's namespace (holds)"
        kill "$relay_pid" 2> /dev/null
        clean_vm "$R1" "$W"
}

# ==================================================================================================
# 6. Run dirs others can write, and forged state
# ==================================================================================================
attack_untrusted_dirs() {
        local d rc n=0
        mkdir -p "$tmp/w777" "$tmp/wnobody" "$tmp/open/run" "$tmp/open/ledger"
        chmod 0777 "$tmp/w777" "$tmp/open"
        chmod 0700 "$tmp/open/run"
        chown nobody "$tmp/wnobody"
        for d in "$tmp/w777" "$tmp/wnobody" "$tmp/open/run"; do
                n=$((n + 1))
                sl list --run-dir "$d" > "$tmp/u$n.out" 2>&1
                rc=$?
                [ "$rc" = 2 ] && has "$d" "$(errline "$tmp/u$n.out")" &&
                        pass "trust: list --run-dir $(basename "$(dirname "$d")")/$(basename "$d") ($(stat -c '%U %a' "$d"), parent $(stat -c '%U %a' "$(dirname "$d")")): refused" "$(errline "$tmp/u$n.out")" ||
                        fail "trust: list --run-dir $d ($(stat -c '%U %a' "$d"), parent $(stat -c '%U %a' "$(dirname "$d")")): refused (exit 2 naming it)" "exit $rc" "$(errline "$tmp/u$n.out")"
        done
        run_fc "$tmp/w777" "$P-u1" --net none --watchdog 0
        rc=$?
        [ "$rc" = 2 ] && has "$tmp/w777" "$(errline "$tmp/run-$P-u1.out")" && [ ! -e "$J/firecracker/$P-u1" ] &&
                pass "trust: run --run-dir (mode 0777): refused, nothing started" "$(errline "$tmp/run-$P-u1.out")" ||
                fail "trust: run --run-dir (mode 0777): refused, nothing started" "exit $rc" "$(errline "$tmp/run-$P-u1.out")"
        [ "$rc" = 0 ] && clean_vm "$tmp/w777" "$P-u1"
        sl clean --run-dir "$tmp/wnobody" --chroot-base "$J" "$P-u2" > "$tmp/u-clean.out" 2>&1
        rc=$?
        [ "$rc" = 2 ] && has "$tmp/wnobody" "$(errline "$tmp/u-clean.out")" &&
                pass "trust: clean --run-dir (owned by nobody): refused" "$(errline "$tmp/u-clean.out")" ||
                fail "trust: clean --run-dir (owned by nobody): refused (exit 2 naming it)" "exit $rc" "$(errline "$tmp/u-clean.out")"
        launched+=("$R1 $P-u3")
        sl run --name "$P-u3" --run-dir "$R1" --chroot-base "$tmp/open/jail" --uid-range "$UIDS" "${IMG[@]}" "${FCX[@]}" --net none > "$tmp/u-base.out" 2>&1
        rc=$?
        [ "$rc" = 2 ] && has "$tmp/open" "$(errline "$tmp/u-base.out")" && [ ! -e "$tmp/open/jail/firecracker/$P-u3" ] &&
                pass "trust: run --chroot-base under a mode-0777 parent: refused, nothing staged" "$(errline "$tmp/u-base.out")" ||
                fail "trust: run --chroot-base under a mode-0777 parent: refused (exit 2 naming it), nothing staged" "exit $rc" "$(errline "$tmp/u-base.out")"
        [ "$rc" = 0 ] && sl clean --run-dir "$R1" --chroot-base "$tmp/open/jail" "$P-u3" > /dev/null 2>&1
        if base_snapshot; then
                cp -a "$tmp/snap-base" "$tmp/snap-u4"
                launched+=("$R1 $P-u4")
                sl restore "$tmp/snap-u4" --name "$P-u4" --run-dir "$R1" --chroot-base "$J" --uid-range "$UIDS" "${SNK[@]}" --ledger "$tmp/open/ledger" \
                        "${QX[@]}" --watchdog 0 > "$tmp/u-ledger.out" 2>&1
                rc=$?
                [ "$rc" = 2 ] && has "$tmp/open/ledger" "$(errline "$tmp/u-ledger.out")" &&
                        pass "trust: restore --ledger under a mode-0777 parent: refused" "$(errline "$tmp/u-ledger.out")" ||
                        fail "trust: restore --ledger under a mode-0777 parent: refused (exit 2 naming it)" "exit $rc" "$(errline "$tmp/u-ledger.out")"
                [ "$rc" = 0 ] && clean_vm "$R1" "$P-u4"
        else
                fail "trust: a snapshot to restore" "$(errline "$tmp/snap-base.out")"
        fi
}

attack_forged_state() {
        local F=$P-f s1 s2 dummy=hxd$sfx m=$tmp/victim6 vb=$tmp/victim6base u fpid
        run_fc "$R1" "$F" --watchdog 0 || { fail "forged state: $F starts" "$(errline "$tmp/run-$F.out")"; return; }
        u=$(stj "$R1" "$F" "s['uid']") fpid=$(stj "$R1" "$F" "s['pid']")
        setsid sleep 300 < /dev/null > /dev/null 2>&1 &
        s1=$!
        setsid sleep 300 < /dev/null > /dev/null 2>&1 &
        s2=$!
        on_exit "kill $s1 $s2 2>/dev/null"
        inns "$TH" ip link add "$dummy" type veth peer name "hxe$sfx"
        mkdir -p "$m" && mount -t tmpfs -o size=1m hostile-victim6 "$m" && echo keep > "$m/keep"
        mkdir -p "$vb/firecracker/$F/root" && echo keep > "$vb/firecracker/$F/root/keep"
        /usr/bin/python3 - "$R1/vms/$F/state.json" "$s1" "$s2" "$m" "$dummy" "$vb" << 'PY'
import json, sys
p, s1, s2, mnt, dummy, vb = sys.argv[1:]
def start(pid):
    return int(open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()[19])
s = json.load(open(p))
s["pid"], s["pid_starttime"] = int(s1), start(s1)
s["monitor"], s["monitor_starttime"] = int(s2), start(s2)
s.setdefault("net", {})
s["net"]["ns_path"], s["net"]["host_if"] = mnt, dummy
s["chroot_base"] = vb
json.dump(s, open(p, "w"), indent=1)
PY
        clean_vm "$R1" "$F"
        local lost=()
        alive "$s1" || lost+=("the sleep named as the VMM was killed")
        alive "$s2" || lost+=("the sleep named as the monitor was killed")
        inns "$TH" ip link show "$dummy" > /dev/null 2>&1 || lost+=("the interface $dummy was deleted")
        mountpoint -q "$m" || lost+=("the tmpfs $m was unmounted")
        [ -f "$vb/firecracker/$F/root/keep" ] || lost+=("the directory $vb/firecracker/$F was removed")
        [ ${#lost[@]} = 0 ] && pass "forged state: state.json of $F names a sleep (VMM), a sleep (monitor), an interface, a tmpfs, a directory: clean touches none" "$(errline "$tmp/clean-$F.out")" ||
                fail "forged state: state.json of $F names a sleep (VMM), a sleep (monitor), an interface, a tmpfs, a directory: clean touches none" "${lost[@]}"
        local left=()
        alive "$fpid" && left+=("its VMM (pid $fpid)")
        [ -e "/run/netns/sis-$F" ] && left+=("its namespace")
        [ -e "$(vmroot firecracker "$F")" ] && left+=("its jail")
        [ ${#left[@]} = 0 ] && pass "forged state: clean still removed $F's own VMM, namespace and jail" ||
                fail "forged state: clean still removed $F's own VMM, namespace and jail" "left: ${left[*]}"
        inns "$TH" ip link del "$dummy" 2> /dev/null
        umount "$m" 2> /dev/null
}

# ==================================================================================================
# 7. A FIFO in place of the home disk
# ==================================================================================================
attack_fifo_home() {
        local G=$P-g u r rc n0 how
        run_fc "$R1" "$G" --net none --watchdog 1 --home "$tmp/img/home.ext4" || { fail "fifo: $G starts" "$(errline "$tmp/run-$G.out")"; return; }
        u=$(stj "$R1" "$G" "s['uid']") r=$(vmroot firecracker "$G")
        how=$(asvm "$u" "$r" sh -c 'rm -f disk/home.ext4 && mkfifo disk/home.ext4' 2>&1) && how="its VMM made disk/home.ext4 a FIFO" ||
                how="its VMM could not make disk/home.ext4 a FIFO ($how)"
        timeout 20 nsenter --net="/run/netns/$TH" "$bin" snapshot "$G" --out "$tmp/snap-$G" --run-dir "$R1" --chroot-base "$J" "${SNK[@]}" \
                --ledger "$tmp/ledgers/fifo" > "$tmp/snap-$G.out" 2>&1
        rc=$?
        local left=()
        [ "$rc" = 124 ] && left+=("snapshot hung (killed after 20 s)")
        [ "$rc" = 0 ] && left+=("snapshot succeeded")
        [ -e "$R1/vms/$G/busy" ] && left+=("busy left in the run dir: the watchdog is off for good")
        compgen -G "$tmp/snap-$G.tmp.*" > /dev/null && left+=("a .tmp directory left next to --out")
        [ -e "$tmp/snap-$G" ] && [ "$rc" != 0 ] && left+=("--out left behind")
        [ ${#left[@]} = 0 ] && pass "fifo: $how: snapshot refused at once, no busy file, no .tmp left" "$(errline "$tmp/snap-$G.out")" ||
                fail "fifo: $how: snapshot refused at once, no busy file, no .tmp left" "${left[@]}" "$(errline "$tmp/snap-$G.out")"
        n0=$(lines_of "$r/$FCDIR/requests.jsonl")
        sleep 2.5
        has '"method": "GET"' "$(since_line "$r/$FCDIR/requests.jsonl" "$n0")" && pass "fifo: the watchdog still checks $G afterwards" ||
                fail "fifo: the watchdog still checks $G afterwards" "no GET in 2.5 s with --watchdog 1"
        clean_vm "$R1" "$G"
}

# ==================================================================================================
# 10. A killed monitor
# ==================================================================================================
attack_dead_monitor() {
        local M=$P-m mon pid out line mon2
        run_fc "$R1" "$M" --net none --watchdog 1 || { fail "monitor: $M starts" "$(errline "$tmp/run-$M.out")"; return; }
        mon=$(monitor_of "$R1" "$M") pid=$(stj "$R1" "$M" "s['pid']")
        alive "$mon" || { fail "monitor: $M's monitor is found (state.json or the registry)" "monitor: '${mon}'"; clean_vm "$R1" "$M"; return; }
        kill -9 "$mon"
        wait_until 3 gone "$mon"
        out=$(sl list --run-dir "$R1" 2>&1)
        line=$(grep "^$M " <<< "$out")
        if [ -n "$line" ] && ! has "^$M +[0-9]+ +[0-9]+ +[^ ]+ +[^ ]+ +running *\$" "$line" && has 'monitor' "$line"; then
                pass "monitor: kill -9 of $M's monitor: list says so" "$line"
        else
                fail "monitor: kill -9 of $M's monitor: list says so (not a plain 'running')" "${line:-no line for $M}"
        fi
        mon2=$(monitor_of "$R1" "$M")
        kill -STOP "$pid"
        # 3 checks missed at 1 s, each allowed its 2 s API timeout: about 9 s
        local t0=$SECONDS
        if wait_until 12 gone "$pid"; then
                pass "monitor: after the next command ($(alive "$mon2" && [ "$mon2" != "$mon" ] && echo "its monitor restarted as $mon2" || echo "list")), the watchdog SIGKILLs the stopped VMM ($((SECONDS - t0)) s)" \
                        "$(stj "$R1" "$M" "s.get('watchdog', '')")"
        else
                fail "monitor: after the next command, a watchdog SIGKILLs the stopped VMM within 12 s" \
                        "the VMM (pid $pid) is still there, without a watchdog; monitor in the state: $mon2 ($(alive "$mon2" && echo alive || echo dead))"
                kill -CONT "$pid" 2> /dev/null
        fi
        clean_vm "$R1" "$M"
}

# Firecracker's jailer gives the jail's root to the VM's uid: a VMM could fill the chroot base's
# filesystem with files. The root is now a small tmpfs of its own (inodes and bytes capped), the
# kernel and rootfs bound into it read-only.
attack_fc_fill() {
        local F=$P-j u r made fs big
        run_fc "$R1" "$F" --net none || { fail "fill: $F starts" "$(errline "$tmp/run-$F.out")"; return; }
        u=$(stj "$R1" "$F" "s['uid']") r=$(vmroot firecracker "$F")
        # shellcheck disable=SC2016 # the VMM's shell expands its own variables
        big=$(asvm "$u" "$r" sh -c 'dd if=/dev/zero of=big bs=1M count=512 2>&1 | tail -1; stat -c %s big; rm -f big')
        # shellcheck disable=SC2016
        made=$(asvm "$u" "$r" sh -c 'n=0; for i in $(seq 200); do touch "f$i" 2> /dev/null && n=$((n + 1)); done; echo $n')
        fs=$(stat -f -c %T "$r")
        if [ "$fs" = tmpfs ] && [ -n "$made" ] && [ "$made" -lt 64 ] && [ "$(tail -1 <<< "$big")" -lt $((128 << 20)) ]; then
                pass "fill: Firecracker's VMM owns its jail's root, a tmpfs: of 200 files it made $made, of a 512 MiB file $(($(tail -1 <<< "$big") >> 20)) MiB" "$(head -1 <<< "$big")"
        else
                fail "fill: Firecracker's VMM fills its jail's root ($fs)" "files made: ${made:-?} of 200" "$big"
        fi
        if ! asvm "$u" "$r" sh -c 'echo x >> rootfs.ext4' 2> /dev/null && ! asvm "$u" "$r" sh -c 'rm -f rootfs.ext4 vmlinux' 2> /dev/null &&
                [ -e "$r/rootfs.ext4" ]; then
                pass "fill: and cannot write, remove or replace its rootfs or kernel (read-only binds)"
        else
                fail "fill: the VMM changed or removed its bound rootfs or kernel"
        fi
        clean_vm "$R1" "$F"
        [ ! -e "$J/firecracker/$F" ] && ! has " $J/firecracker/$F" "$(cat /proc/mounts)" && pass "fill: clean unmounts the binds and the root's tmpfs, and removes the jail" ||
                fail "fill: clean left $F's jail or a mount" "$(grep "$J/firecracker/$F" /proc/mounts)"
}

# A snapshot killed while it writes left its busy file, and the monitor skipped the watchdog for
# as long as it was there: for good. The busy file is now locked by the snapshot that made it, and
# one nobody holds is removed.
attack_stale_busy() {
        local S=$P-s pid t0
        run_fc "$R1" "$S" --net none --watchdog 1 || { fail "busy: $S starts" "$(errline "$tmp/run-$S.out")"; return; }
        pid=$(stj "$R1" "$S" "s['pid']")
        : > "$R1/vms/$S/busy" # what a SIGKILLed snapshot leaves: the file, and nobody holding it
        kill -STOP "$pid"
        t0=$SECONDS
        if wait_until 12 gone "$pid"; then
                pass "busy: a busy file left by a killed snapshot: the watchdog still SIGKILLs the stopped VMM ($((SECONDS - t0)) s; the file removed: $([ -e "$R1/vms/$S/busy" ] && echo no || echo yes))"
        else
                fail "busy: a busy file left by a killed snapshot keeps the watchdog off" "the VMM (pid $pid) is still stopped"
                kill -CONT "$pid" 2> /dev/null
        fi
        clean_vm "$R1" "$S"
}

# ==================================================================================================
# 11. Lies on the metrics FIFO: the monitor (root) reads what the VMM writes there
# ==================================================================================================
attack_metrics_fifo() {
        local F=$P-f u r mon out got
        run_fc "$R1" "$F" --net none --watchdog 1 || { fail "metrics: $F starts" "$(errline "$tmp/run-$F.out")"; return; }
        u=$(stj "$R1" "$F" "s['uid']") r=$(vmroot firecracker "$F") mon=$(monitor_of "$R1" "$F")
        # a 2 MiB line, JSON nested past any parser's depth, a string where a number goes, negative
        # and huge numbers, then one honest line: only the honest line counts
        # shellcheck disable=SC2016 # the VMM's shell expands its own $(...)
        asvm "$u" "$r" sh -c 'head -c 2097152 /dev/zero | tr "\0" "[" > metrics.fifo; printf "\n" > metrics.fifo
                printf "%s\n" "$(head -c 100000 /dev/zero | tr "\0" "[")" > metrics.fifo
                printf "%s\n" "{\"block\":{\"read_bytes\":\"9\",\"write_bytes\":-5,\"read_count\":1e400}}" > metrics.fifo
                printf "%s\n" "{\"block\":{\"read_bytes\":4096,\"write_bytes\":512},\"seccomp\":{\"num_faults\":2}}" > metrics.fifo' \
                > "$tmp/fifo-$F.out" 2>&1
        got_honest() {
                out=$(sl metrics 2>&1)
                has "sis_vm_block_bytes_total\{vm=\"$F\",backend=\"firecracker\",op=\"read\"\} 4096\$" "$out" &&
                        has "sis_vm_seccomp_faults_total\{vm=\"$F\",backend=\"firecracker\"\} 2\$" "$out"
        }
        if wait_until 10 got_honest && alive "$mon" && printf '%s\n' "$out" > "$tmp/metrics-$F.prom" &&
                promtool check metrics < "$tmp/metrics-$F.prom" > /dev/null 2>&1; then
                got=$(grep -c "vm=\"$F\"" <<< "$out")
                pass "metrics: a VMM's 2 MiB line, deep nesting and bad numbers on its metrics FIFO: the monitor lives, only the honest line counts (4096 bytes read, 2 seccomp faults; $got valid samples)"
        else
                fail "metrics: lies on the metrics FIFO" "monitor $(alive "$mon" && echo alive || echo dead)" "$(lines 3 "$(grep "vm=\"$F\"" <<< "$out" | grep -E 'block|seccomp')")"
        fi
        [ "$(stat -c %s "$R1/vms/$F/metrics.log" 2> /dev/null || echo 0)" -le $((256 * 1024)) ] &&
                pass "metrics: the metrics log stays bounded ($(stat -c %s "$R1/vms/$F/metrics.log" 2> /dev/null) bytes, rotated)" ||
                fail "metrics: metrics.log grew past its cap" "$(stat -c %s "$R1/vms/$F/metrics.log")"
        clean_vm "$R1" "$F"
}

# ==================================================================================================
# 12. Snapshot and restore: files of a copied snapshot, files of the jail, the VMM's log
# ==================================================================================================
# A copied snapshot's directory is anyone's (it is verified, not trusted): a FIFO where restore
# opens manifest.json, or a sealed file swapped for one after restore checked it, blocked root
# in open(2) for good. They are now opened only as regular files (open_beneath_at, S_IFREG).
attack_restore_fifo() {
        local V=$P-rf s=$tmp/snap-rf c n d rc t0 how said bad left k_links k_tables
        run_fc "$R1" "$V" --net none --watchdog 0 || { fail "restore fifo: $V starts" "$(errline "$tmp/run-$V.out")"; return; }
        sl snapshot "$V" --out "$s" --run-dir "$R1" --chroot-base "$J" "${SNK[@]}" --ledger "$tmp/ledgers/rf" > "$tmp/snap-rf.out" 2>&1 ||
                { fail "restore fifo: a snapshot of $V" "$(errline "$tmp/snap-rf.out")"; clean_vm "$R1" "$V"; return; }
        clean_vm "$R1" "$V"
        wait_until 2 no_uid_procs
        k_links=$(th_links) k_tables=$(th_tables)
        for c in manifest.json mem.sealed; do
                n=$P-r${c%%.*} d=$tmp/snap-rf-${c%%.*}
                cp -a "$s" "$d"
                rm -rf "$tmp/ledgers/rf-$n" && cp -a "$tmp/ledgers/rf" "$tmp/ledgers/rf-$n" # issued there, not spent
                if [ "$c" = manifest.json ]; then
                        rm -f "$d/$c" && mkfifo "$d/$c"
                        how="$c of a copied snapshot replaced by a FIFO"
                else
                        # after read_manifest checked it, before it is opened: the --version probe
                        # of the restore's Firecracker stand-in comes in between
                        printf '#!/bin/sh\n/bin/rm -f %s && /usr/bin/mkfifo %s\n' "$d/$c" "$d/$c" > "$tmp/fc/version-hook"
                        chmod 700 "$tmp/fc/version-hook"
                        how="$c swapped for a FIFO after restore checked it"
                fi
                launched+=("$R1 $n")
                t0=$SECONDS
                timeout 30 nsenter --net="/run/netns/$TH" "$bin" restore "$d" --name "$n" --run-dir "$R1" --chroot-base "$J" --uid-range "$UIDS" \
                        --ledger "$tmp/ledgers/rf-$n" "${SNK[@]}" "${FCX[@]}" --net none --watchdog 0 > "$tmp/rest-$n.out" 2>&1
                rc=$?
                rm -f "$tmp/fc/version-hook"
                said=$(errline "$tmp/rest-$n.out")
                bad=()
                [ "$rc" = 124 ] && bad+=("restore hung: killed after 30 s (blocked opening the FIFO)")
                [ "$rc" != 124 ] && [ "$rc" != 1 ] && bad+=("exit $rc, not 1 (refused)")
                [ "$rc" = 1 ] && ! has "$c: not a regular file" "$said" && bad+=("refused, but not naming $c as not a regular file")
                [ "$c" = mem.sealed ] && [ -p "$d/$c" ] && has 'missing, or not a regular file' "$said" &&
                        bad+=("the swap came before read_manifest's check: the window was not tested")
                wait_until 5 no_uid_procs
                [ "$rc" = 124 ] && clean_vm "$R1" "$n"
                [ "$rc" = 0 ] && bad+=("the restore started $n") && clean_vm "$R1" "$n"
                left=$(leftovers "$R1" "$n")
                [ -n "$left" ] && bad+=("left behind: $(tr '\n' ';' <<< "$left")")
                [ ${#bad[@]} = 0 ] && pass "restore fifo: $how: refused in $((SECONDS - t0)) s (exit 1), nothing started or left" "$said" ||
                        fail "restore fifo: $how: refused at once (exit 1) naming it, nothing started or left" "${bad[@]}" "$said"
        done
}

# A tmpfs bounds the blocks a file has, not its length: a VMM made snapshot/mem (or its home
# disk) as long as its file-size limit lets it, holes all of it, and root read and sealed every
# byte into --out. A file of the jail larger than its tmpfs (and, for the VM's state, than its
# memory and 1 GiB) is now refused before anything is read.
attack_snap_sparse() {
        local V c rc t0 ms how said bad u r out
        for c in mem home; do
                V=$P-sp$c out=$tmp/snap-sp$c
                [ "$c" = mem ] && echo --sparse-mem > "$tmp/fc/vmm-args.$V"
                run_fc "$R1" "$V" --net none --watchdog 1 --home "$tmp/img/home.ext4" || { fail "sparse: $V starts" "$(errline "$tmp/run-$V.out")"; continue; }
                rm -f "$tmp/fc/vmm-args.$V"
                if [ "$c" = mem ]; then
                        how="its VMM wrote snapshot/mem as a sparse file of its whole file-size limit (1 GiB, the real jailer's)"
                else
                        u=$(stj "$R1" "$V" "s['uid']") r=$(vmroot firecracker "$V")
                        how=$(asvm "$u" "$r" truncate -s 1G disk/home.ext4 2>&1) && how="its VMM made disk/home.ext4 (16 MiB) a sparse 1 GiB file" ||
                                how="its VMM could not grow disk/home.ext4 ($how)"
                fi
                t0=$(now_ms)
                timeout 120 nsenter --net="/run/netns/$TH" "$bin" snapshot "$V" --out "$out" --run-dir "$R1" --chroot-base "$J" "${SNK[@]}" \
                        --ledger "$tmp/ledgers/sparse" > "$tmp/snap-$V.out" 2>&1
                rc=$? ms=$(($(now_ms) - t0))
                said=$(errline "$tmp/snap-$V.out")
                bad=()
                [ "$rc" = 124 ] && bad+=("snapshot still reading after 120 s (killed)")
                [ "$rc" = 0 ] && bad+=("snapshot taken in $ms ms: $(du -sh "$out" 2> /dev/null | cut -f1) in $out ($(du -h "$out"/*.sealed 2> /dev/null | tr '\n\t' '; '))")
                [ "$rc" != 0 ] && [ "$rc" != 124 ] && ! has 'larger than anything the VM can have' "$said" && bad+=("refused (exit $rc), but not for its size")
                [ "$ms" -gt 10000 ] && bad+=("it took $ms ms")
                [ -e "$R1/vms/$V/busy" ] && bad+=("busy left in the run dir: the watchdog is off for good")
                compgen -G "$out.tmp.*" > /dev/null && bad+=("a .tmp directory left next to --out: $(du -sh "$out".tmp.* | cut -f1)")
                [ -e "$out" ] && [ "$rc" != 0 ] && bad+=("--out left behind")
                [ ${#bad[@]} = 0 ] && pass "sparse: $how: snapshot refused in $ms ms, no busy file, no .tmp left" "$said" ||
                        fail "sparse: $how: snapshot refused at once, no busy file, no .tmp left" "${bad[@]}" "$said"
                rm -rf "$out" "$out".tmp.*
                clean_vm "$R1" "$V"
        done
}

# The start reads what the VMM wrote to its log FIFO before the monitor takes over, until the FIFO
# is empty: a VMM that refills it as fast as root reads kept root there, with no monitor and no
# watchdog, for good. Root appends each read to the VM's log in the run dir; here that run dir is
# on a filesystem mounted sync (a loop-mounted ext4), so that each append is a disk write, as on
# a busy host: the VMM, writing short packets, then always refills faster than root empties the
# FIFO (a VMM with a CPU of its own on an idle host needs no such help). The start now reads at
# most 64 times (1 MiB); the rest waits for the monitor.
attack_log_flood() {
        local V=$P-lf fs=$tmp/syncfs R=$tmp/syncfs/run rc t0 said bad mon
        command -v mkfs.ext4 > /dev/null || { skip "hostile: flood" "no mkfs.ext4 for a sync-mounted run dir"; return; }
        mkdir -p "$fs" && truncate -s 64M "$tmp/sync.img" && mkfs.ext4 -q -F "$tmp/sync.img" &&
                mount -o loop,sync "$tmp/sync.img" "$fs" && mkdir -m 0700 "$R" ||
                { fail "flood: a run dir on a filesystem mounted sync (loop, ext4)"; return; }
        echo --flood-log > "$tmp/fc/vmm-args.$V"
        launched+=("$R $V")
        t0=$SECONDS
        timeout 30 nsenter --net="/run/netns/$TH" "$bin" run --name "$V" --run-dir "$R" --chroot-base "$J" --uid-range "$UIDS" "${IMG[@]}" "${FCX[@]}" \
                --net none --watchdog 1 > "$tmp/run-$V.out" 2>&1
        rc=$?
        rm -f "$tmp/fc/vmm-args.$V"
        said=$(errline "$tmp/run-$V.out")
        [ "$rc" = 0 ] && said=$(grep -a 'started' "$tmp/run-$V.out" | tail -1)
        bad=()
        [ "$rc" = 124 ] && bad+=("run still reading the VMM's log after 30 s (killed; $(stat -c %s "$R/vms/$V/firecracker.log" 2> /dev/null) bytes in its log): no monitor, no watchdog")
        [ "$rc" = 0 ] && mon=$(monitor_of "$R" "$V") && ! alive "$mon" && bad+=("started, but no monitor runs")
        [ ${#bad[@]} = 0 ] && pass "flood: its VMM writes its log FIFO without end from its start: run ends in $((SECONDS - t0)) s (exit $rc$([ "$rc" = 0 ] && echo ", its monitor running"))" "$said" ||
                fail "flood: its VMM writes its log FIFO without end from its start: run ends (started or refused)" "${bad[@]}" "$said"
        # the monitor keeps its watchdog under the flood: the API stops answering (the stand-in's
        # run/hang), the log goes on; 3 checks missed at 1 s, each allowed its 2 s: about 9 s. When
        # the monitor drained 256 KiB a round, of short lines that was thousands of appends to its log
        # on this disk a round, and the watchdog came round every tens of seconds
        if [ "$rc" = 0 ] && alive "$mon"; then
                local pid
                pid=$(stj "$R" "$V" "s['pid']")
                touch "$J/firecracker/$V/root/run/hang"
                t0=$SECONDS
                if wait_until 20 gone "$pid"; then
                        pass "flood: the API hung under the flood, the watchdog SIGKILLs the VMM ($((SECONDS - t0)) s)" "$(stj "$R" "$V" "s.get('watchdog', '')")"
                else
                        fail "flood: the API hung under the flood, the watchdog SIGKILLs the VMM within 20 s" \
                                "the VMM (pid $pid) is still there; $(stat -c %s "$R/vms/$V/firecracker.log" 2> /dev/null) bytes in its log"
                fi
        fi
        clean_vm "$R" "$V"
        umount "$fs" 2> /dev/null || umount -l "$fs"
}

# ==================================================================================================
# 8./9. SIGKILL of run and restore at random points, then clean; clean racing a launch
# ==================================================================================================
leftovers() { # RUN NAME: what the VM left on the host (empty: nothing)
        local run=$1 x=$2 l=() cg reg
        [ -n "$(uid_procs)" ] && l+=("processes: $(uid_procs | tr '\n' ';')")
        has " $J/" "$(cat /proc/mounts)" && l+=("mounts: $(grep -o " $J/[^ ]*" /proc/mounts | tr '\n' ' ')")
        [ -e "/run/netns/sis-$x" ] && l+=("/run/netns/sis-$x")
        [ "$(th_links)" != "$k_links" ] && l+=("links: $(comm -13 <(echo "$k_links") <(th_links) | tr '\n' ' ')")
        [ "$(th_tables)" != "$k_tables" ] && l+=("host tables: $(th_tables | tr '\n' ' ')(before: $(tr '\n' ' ' <<< "$k_tables"))")
        cg=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "$x" 2> /dev/null)
        [ -n "$cg" ] && l+=("cgroups: $(tr '\n' ' ' <<< "$cg")($(while read -r c; do cat "$c/cgroup.procs"; done <<< "$cg" 2> /dev/null | wc -l) processes in them)")
        reg=$( { find /run/sis "$run" \( -name "$x" -o -name "$x.*" \) 2> /dev/null; find /run/sis "$run" -type f -exec grep -lwF -- "$x" {} + 2> /dev/null; } | sort -u)
        [ -n "$reg" ] && l+=("entries: $(tr '\n' ' ' <<< "$reg")")
        compgen -G "$J/*/$x" > /dev/null && l+=("jail: $(compgen -G "$J/*/$x")")
        [ -e "$run/vms/$x" ] && l+=("$run/vms/$x")
        # a child of the killed sis-launch (net_up's namespace holder or its configuring child,
        # root's, in a namespace of its own): PR_SET_PDEATHSIG must have taken it along
        # (a monitor enters a VM's namespace for a moment when it opens its sockets, and a process
        # that is exiting has no namespace to show: looked at twice, only a live one counts)
        local p n thns out=()
        thns="net:[$(stat -L -c %i "/run/netns/$TH")]"
        for p in $(pgrep -x sis-launch); do
                n=$(readlink "/proc/$p/ns/net" 2> /dev/null)
                [ -z "$n" ] || [ "$n" = "$thns" ] || out+=("$p")
        done
        [ ${#out[@]} = 0 ] || sleep 0.3
        for p in "${out[@]}"; do
                n=$(readlink "/proc/$p/ns/net" 2> /dev/null)
                [ -z "$n" ] || [ "$n" = "$thns" ] || l+=("a sis-launch child in a namespace of its own: $p ($n)")
        done
        printf '%s\n' "${l[@]}"
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
gate_passed() { grep -q 'the audit passes' "$1" 2> /dev/null; }
# CMD in the background, its output in OUT; once it is past the gate (its "the audit passes"
# line: before it, nothing is made), SIGKILLed MS ms later. Returns 0 when the kill landed. CMD
# must be a program that becomes sis-launch by exec (nsenter --net does), not a shell function:
# the kill must reach sis-launch itself.
kill_after_gate() { # MS OUT CMD...
        local ms=$1 o=$2 p n=0 k
        shift 2
        : > "$o"
        "$@" > "$o" 2>&1 &
        p=$!
        while ! gate_passed "$o" && kill -0 "$p" 2> /dev/null && [ "$n" -lt 2000 ]; do sleep 0.005; n=$((n + 1)); done
        sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
        kill -9 "$p" 2> /dev/null
        k=$?
        wait "$p" 2> /dev/null
        return "$k"
}
# CMD undisturbed: prints the ms from its gate line to its "started" line; returns its status
span_after_gate() { # OUT CMD...
        local o=$1 p t0 t1 rc
        shift
        : > "$o"
        "$@" > "$o" 2>&1 &
        p=$!
        while ! gate_passed "$o" && kill -0 "$p" 2> /dev/null; do sleep 0.005; done
        t0=$(now_ms)
        while ! grep -q '==> started ' "$o" && kill -0 "$p" 2> /dev/null; do sleep 0.005; done
        t1=$(now_ms)
        wait "$p"
        rc=$?
        echo $((t1 - t0))
        return "$rc"
}
# a QEMU VM's snapshot (with a network and a home disk), made once: $tmp/snap-base
base_snapshot() {
        [ -d "$tmp/snap-base" ] && return 0
        local v=$P-s0 rc
        run_q "$R1" "$v" --watchdog 0 --home "$tmp/img/home.ext4" || { cp "$tmp/run-$v.out" "$tmp/snap-base.out"; return 1; }
        sl snapshot "$v" --out "$tmp/snap-base" --run-dir "$R1" --chroot-base "$J" "${SNK[@]}" --ledger "$tmp/ledgers/base" > "$tmp/snap-base.out" 2>&1
        rc=$?
        clean_vm "$R1" "$v"
        return "$rc"
}
# what today's clean may leave is removed here, so that each round starts from nothing
scrub() { # RUN NAME
        local p
        for p in $(uid_procs | awk '{ print $1 }'); do kill -9 "$p" 2> /dev/null; done
        [ -e "/run/netns/sis-$2" ] && ip netns del "sis-$2" 2> /dev/null
        awk -v t="$J/" 'index($2, t) == 1 { print $2 }' /proc/mounts | sort -r | while read -r p; do umount -l "$p"; done
        rm -rf "${J:?}/qemu/$2" "${J:?}/firecracker/$2" "${1:?}/vms/$2"
        rm -f /run/sis/registry/"$2".json.tmp*
        find /sys/fs/cgroup -maxdepth 4 -type d -name "$2" -exec rmdir {} + 2> /dev/null
        if [ -n "${k_tables+x}" ]; then
                comm -13 <(echo "$k_tables") <(th_tables) | while read -r -a t; do [ ${#t[@]} -gt 0 ] && inns "$TH" nft delete "${t[@]}"; done
                comm -13 <(echo "$k_links") <(th_links) | while read -r p; do [ -n "$p" ] && inns "$TH" ip link del "$p"; done
        fi
        wait_until 2 no_uid_procs
}
attack_sigkill() {
        local n=${HOSTILE_KILLS:-20} RK=$tmp/runk i T Tr ms x c bad=() landed=0 left
        left=$(uid_procs)
        [ -n "$left" ] && echo "  # (processes of earlier VMs left in the uid range, killed first: $(tr '\n' ';' <<< "$left"))"
        scrub "$RK" none
        base_snapshot || { fail "sigkill: a snapshot to restore" "$(errline "$tmp/snap-base.out")"; return; }
        k_links=$(th_links) k_tables=$(th_tables)
        # one undisturbed run and restore: the span of the kill points after their gate
        launched+=("$RK $P-k0")
        T=$(span_after_gate "$tmp/run-$P-k0.out" inns "$TH" "$bin" run --name "$P-k0" --run-dir "$RK" --chroot-base "$J" --uid-range "$UIDS" \
                "${IMG[@]}" "${QX[@]}" --watchdog 1 --home "$tmp/img/home.ext4") || { fail "sigkill: $P-k0 starts" "$(errline "$tmp/run-$P-k0.out")"; return; }
        clean_vm "$RK" "$P-k0"
        cp -a "$tmp/snap-base" "$tmp/snapk-0"
        cp -a "$tmp/ledgers/base" "$tmp/ledgers/0" # a ledger of its own, where the snapshot was issued
        launched+=("$RK $P-r0")
        Tr=$(span_after_gate "$tmp/restk.out" inns "$TH" "$bin" restore "$tmp/snapk-0" --name "$P-r0" --run-dir "$RK" --chroot-base "$J" \
                --uid-range "$UIDS" --ledger "$tmp/ledgers/0" "${SNK[@]}" "${QX[@]}" --watchdog 1) || { fail "sigkill: restore as $P-r0" "$(errline "$tmp/restk.out")"; return; }
        clean_vm "$RK" "$P-r0"
        wait_until 2 no_uid_procs
        x=$(leftovers "$RK" "$P-r0")
        [ -n "$x" ] && { fail "sigkill: an undisturbed run and restore, each cleaned, leave nothing" "$x"; return; }
        for i in $(seq "$n"); do
                x=$P-k$i
                ms=$((RANDOM % (T * 3 / 4 + 1)))
                launched+=("$RK $x")
                kill_after_gate "$ms" "$tmp/kill.out" nsenter --net="/run/netns/$TH" "$bin" run --name "$x" --run-dir "$RK" --chroot-base "$J" --uid-range "$UIDS" \
                        "${IMG[@]}" "${QX[@]}" --watchdog 1 --home "$tmp/img/home.ext4" && landed=$((landed + 1))
                clean_vm "$RK" "$x"
                c=$?
                wait_until 2 no_uid_procs
                x=$(leftovers "$RK" "$x")
                [ -n "$x" ] && bad+=("run killed $ms ms after its gate: $(tr '\n' ';' <<< "$x") (clean: exit $c: $(errline "$tmp/clean-$P-k$i.out"))")
                scrub "$RK" "$P-k$i"
        done
        [ ${#bad[@]} = 0 ] && pass "sigkill: run SIGKILLed at $n random points (0-$((T * 3 / 4)) ms after its gate; $landed landed mid-run), then clean: nothing left each time" ||
                fail "sigkill: run SIGKILLed at $n random points (0-$((T * 3 / 4)) ms after its gate; $landed landed mid-run), then clean: nothing left each time" \
                        "${#bad[@]} of $n left something:" "${bad[@]:0:5}"
        bad=() landed=0
        for i in $(seq "$n"); do
                x=$P-r$i
                ms=$((RANDOM % (Tr * 3 / 4 + 1)))
                cp -a "$tmp/snap-base" "$tmp/snapk-$i"
                rm -rf "$tmp/ledgers/$i" && cp -a "$tmp/ledgers/base" "$tmp/ledgers/$i"
                launched+=("$RK $x")
                kill_after_gate "$ms" "$tmp/kill.out" nsenter --net="/run/netns/$TH" "$bin" restore "$tmp/snapk-$i" --name "$x" --run-dir "$RK" --chroot-base "$J" \
                        --uid-range "$UIDS" --ledger "$tmp/ledgers/$i" "${SNK[@]}" "${QX[@]}" --watchdog 1 && landed=$((landed + 1))
                clean_vm "$RK" "$x"
                c=$?
                wait_until 2 no_uid_procs
                x=$(leftovers "$RK" "$x")
                [ -n "$x" ] && bad+=("restore killed $ms ms after its gate: $(tr '\n' ';' <<< "$x") (clean: exit $c: $(errline "$tmp/clean-$P-r$i.out"))")
                scrub "$RK" "$P-r$i"
                rm -rf "$tmp/snapk-$i"
        done
        [ ${#bad[@]} = 0 ] && pass "sigkill: restore SIGKILLed at $n random points (0-$((Tr * 3 / 4)) ms after its gate; $landed landed mid-restore), then clean: nothing left each time" ||
                fail "sigkill: restore SIGKILLed at $n random points (0-$((Tr * 3 / 4)) ms after its gate; $landed landed mid-restore), then clean: nothing left each time" \
                        "${#bad[@]} of $n left something:" "${bad[@]:0:5}"
        # Firecracker, through its (stand-in) jailer: run and restore SIGKILLed at random points. The
        # review's window was here: a restore killed after the jailer exited, before the VMM's pid
        # was recorded, left a VMM running while clean removed its jail and freed its uid
        local nf=${HOSTILE_FC_KILLS:-10} Tf Tfr kind args
        bad=()
        if run_fc "$R1" "$P-fs0" --net none --watchdog 0 --home "$tmp/img/home.ext4" &&
                sl snapshot "$P-fs0" --out "$tmp/snapf-base" --run-dir "$R1" --chroot-base "$J" "${SNK[@]}" --ledger "$tmp/ledgers/fbase" \
                        > "$tmp/snapf.out" 2>&1; then
                clean_vm "$R1" "$P-fs0"
                launched+=("$RK $P-f0")
                Tf=$(span_after_gate "$tmp/run-$P-f0.out" inns "$TH" "$bin" run --name "$P-f0" --run-dir "$RK" --chroot-base "$J" \
                        --uid-range "$UIDS" "${IMG[@]}" "${FCX[@]}" --net none --watchdog 1 --home "$tmp/img/home.ext4") || Tf=
                clean_vm "$RK" "$P-f0"
                cp -a "$tmp/snapf-base" "$tmp/snapf-0" && cp -a "$tmp/ledgers/fbase" "$tmp/ledgers/f0"
                launched+=("$RK $P-fr0")
                Tfr=$(span_after_gate "$tmp/restf.out" inns "$TH" "$bin" restore "$tmp/snapf-0" --name "$P-fr0" --run-dir "$RK" \
                        --chroot-base "$J" --uid-range "$UIDS" --ledger "$tmp/ledgers/f0" "${SNK[@]}" "${FCX[@]}" --net none --watchdog 1) || Tfr=
                clean_vm "$RK" "$P-fr0"
        else
                bad+=("Firecracker's base snapshot: $(errline "$tmp/run-$P-fs0.out") $(errline "$tmp/snapf.out")")
                clean_vm "$R1" "$P-fs0"
        fi
        [ -n "${Tf:-}" ] && [ -n "${Tfr:-}" ] || bad+=("an undisturbed Firecracker run or restore failed: $(errline "$tmp/run-$P-f0.out") $(errline "$tmp/restf.out")")
        landed=0
        for i in $(seq "$nf"); do
                [ ${#bad[@]} = 0 ] || break
                for kind in run restore; do
                        x=$P-f${kind:0:2}$i
                        if [ "$kind" = run ]; then
                                ms=$((RANDOM % (Tf * 3 / 4 + 1)))
                                args=(run --name "$x" "${IMG[@]}" --home "$tmp/img/home.ext4")
                        else
                                ms=$((RANDOM % (Tfr * 3 / 4 + 1)))
                                cp -a "$tmp/snapf-base" "$tmp/snapf-$i"
                                rm -rf "$tmp/ledgers/f$i" && cp -a "$tmp/ledgers/fbase" "$tmp/ledgers/f$i"
                                args=(restore "$tmp/snapf-$i" --name "$x" --ledger "$tmp/ledgers/f$i" "${SNK[@]}")
                        fi
                        launched+=("$RK $x")
                        kill_after_gate "$ms" "$tmp/kill.out" nsenter --net="/run/netns/$TH" "$bin" "${args[@]}" --run-dir "$RK" --chroot-base "$J" \
                                --uid-range "$UIDS" "${FCX[@]}" --net none --watchdog 1 && landed=$((landed + 1))
                        clean_vm "$RK" "$x"
                        c=$?
                        wait_until 2 no_uid_procs
                        left=$(leftovers "$RK" "$x")
                        [ -n "$left" ] && bad+=("firecracker $kind killed $ms ms after its gate: $(tr '\n' ';' <<< "$left") (clean: exit $c: $(errline "$tmp/clean-$x.out"))")
                        scrub "$RK" "$x"
                        rm -rf "$tmp/snapf-$i"
                done
        done
        [ ${#bad[@]} = 0 ] && pass "sigkill: Firecracker's run and restore SIGKILLed at $nf random points each (0-$((Tf * 3 / 4)) and 0-$((Tfr * 3 / 4)) ms after their gate; $landed landed mid-way), then clean: nothing left each time" ||
                fail "sigkill: Firecracker's run and restore SIGKILLed at random points, then clean: nothing left each time" \
                        "${#bad[@]} problems:" "${bad[@]:0:5}"
        # snapshot SIGKILLed while it writes: clean removes its unfinished directory; no plaintext of
        # the guest's state anywhere, no half snapshot published
        bad=() landed=0
        local Ts v t0 snapdir=$tmp/snapkill
        mkdir -p "$snapdir"
        for i in $(seq "$n"); do
                v=$P-sk$i
                run_q "$RK" "$v" --watchdog 0 --home "$tmp/img/home.ext4" || { bad+=("$v did not start: $(errline "$tmp/run-$v.out")"); continue; }
                if [ "$i" = 1 ]; then
                        t0=$(now_ms)
                        sl snapshot "$v" --out "$snapdir/s$i" --run-dir "$RK" --chroot-base "$J" "${SNK[@]}" --ledger "$tmp/ledgers/sk" \
                                > "$tmp/snapkill.out" 2>&1 || bad+=("an undisturbed snapshot failed: $(errline "$tmp/snapkill.out")")
                        Ts=$(($(now_ms) - t0 + 1))
                else
                        ms=$((RANDOM % Ts))
                        nsenter --net="/run/netns/$TH" "$bin" snapshot "$v" --out "$snapdir/s$i" --run-dir "$RK" --chroot-base "$J" "${SNK[@]}" \
                                --ledger "$tmp/ledgers/sk" > "$tmp/snapkill.out" 2>&1 &
                        x=$!
                        sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
                        kill -9 "$x" 2> /dev/null && landed=$((landed + 1))
                        wait "$x" 2> /dev/null
                fi
                clean_vm "$RK" "$v"
                compgen -G "$snapdir/s$i.tmp.*" > /dev/null && bad+=("snapshot killed at ${ms:-?} ms: $(ls -d "$snapdir/s$i".tmp.*) left after clean")
                [ -e "$snapdir/s$i" ] && [ ! -e "$snapdir/s$i/manifest.mac" ] && bad+=("snapshot killed at ${ms:-?} ms: a half snapshot $snapdir/s$i")
                scrub "$RK" "$v"
        done
        grep -rqa 'SIS-STANDIN-STATE' "$snapdir" && bad+=("the guest's state in clear under $snapdir")
        [ ${#bad[@]} = 0 ] && pass "sigkill: snapshot SIGKILLed at $((n - 1)) random points (0-$Ts ms; $landed landed mid-snapshot), then clean: no unfinished or half snapshot, no state in clear" ||
                fail "sigkill: snapshot SIGKILLed at random points, then clean: no unfinished or half snapshot, no state in clear" \
                        "${#bad[@]} problems:" "${bad[@]:0:5}"
}

attack_clean_race() {
        local i prev=$P-c0 prun=$R1 cur crun ms bad=() T t0 t1 why
        t0=$(date +%s%N)
        run_fc "$R1" "$prev" --watchdog 0 || { fail "race: $prev starts" "$(errline "$tmp/run-$prev.out")"; return; }
        t1=$(date +%s%N)
        T=$(((t1 - t0) / 1000000))
        for i in 1 2 3 4 5 6; do
                cur=$P-c$i
                # odd rounds: the same run dir; even rounds: another run dir
                if [ $((i % 2)) = 1 ]; then crun=$prun; else crun=$([ "$prun" = "$R1" ] && echo "$R2" || echo "$R1"); fi
                ms=$((RANDOM % (T / 2 + 1)))
                run_fc "$crun" "$cur" --watchdog 0 &
                local lp=$!
                sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
                clean_vm "$prun" "$prev"
                wait "$lp"
                local rc=$? cif
                launched+=("$crun $cur")
                cif=$(stj "$crun" "$cur" "s['net']['host_if']")
                why=
                [ "$rc" = 0 ] || why="it did not start: $(errline "$tmp/run-$cur.out")"
                [ -z "$why" ] && ! alive "$(stj "$crun" "$cur" "s['pid']")" && why="its VMM is gone"
                [ -z "$why" ] && ! inns "$TH" ip link show "$cif" > /dev/null 2>&1 && why="its veth $cif is gone"
                [ -z "$why" ] && ! has 'masquerade' "$(inns "$TH" nft list ruleset 2> /dev/null)" && why="no masquerade left on the host: $(th_tables | tr '\n' ' ')"
                [ -n "$why" ] && bad+=("round $i ($([ "$crun" = "$prun" ] && echo same || echo another) run dir, clean after $ms ms): $why")
                prev=$cur prun=$crun
        done
        clean_vm "$prun" "$prev"
        [ ${#bad[@]} = 0 ] && pass "race: clean of one VM racing another's launch (6 rounds, same and other run dirs): the launched VM keeps its VMM, veth, host table and masquerade" ||
                fail "race: clean of one VM racing another's launch: the launched VM keeps its VMM, veth, host table and masquerade" "${bad[@]}"
}

# Between attacks: whatever the attack's VMs left after their clean (today's sis-launch may leave
# much) is noted and removed, so that each attack starts from the same host.
reset_world() { # ATTACK
        local e x p t left=()
        for p in $(uid_procs | awk '{ print $1 }'); do left+=("process $p"); kill -9 "$p" 2> /dev/null; done
        for e in "${launched[@]}"; do
                x=${e#* }
                [ -e "/run/netns/sis-$x" ] && { left+=("netns sis-$x"); ip netns del "sis-$x" 2> /dev/null; }
                while read -r p; do [ -n "$p" ] && { left+=("$p"); rmdir "$p" 2> /dev/null; }; done < <(find /sys/fs/cgroup -maxdepth 4 -type d -name "$x" 2> /dev/null)
        done
        while read -r p; do
                [ -n "$p" ] || continue
                [[ $p == "$tmp/victim"* ]] || left+=("mount $p")
                umount -l "$p"
        done < <(awk -v t="$tmp/" 'index($2, t) == 1 { print $2 }' /proc/mounts | sort -r)
        while read -r -a t; do [ ${#t[@]} -gt 0 ] && { left+=("${t[*]}"); inns "$TH" nft delete "${t[@]}"; }; done < <(comm -13 <(echo "$w_tables") <(th_tables))
        while read -r p; do [ -n "$p" ] && { left+=("link $p"); inns "$TH" ip link del "$p" 2> /dev/null; }; done < <(comm -13 <(echo "$w_links") <(th_links))
        for p in "$J"/*/*; do [ -e "$p" ] && { left+=("jail ${p#"$J"/}"); rm -rf "$p"; }; done
        [ ${#left[@]} = 0 ] || echo "  # (after $1, removed what its cleans left: ${left[*]})"
        wait_until 2 no_uid_procs
}
w_links=$(th_links) w_tables=$(th_tables)

# --- run them ---------------------------------------------------------------------------------------
all=(symlinks clean_umount vmm_net run_dirs deny_allow untrusted_dirs forged_state fifo_home dead_monitor stale_busy fc_fill metrics_fifo restore_fifo snap_sparse log_flood clean_race sigkill)
for a in ${HOSTILE_ONLY:-${all[*]}}; do
        t0=$(date +%s)
        "attack_$a"
        reset_world "$a"
        echo "# hostile: $a: $(($(date +%s) - t0)) s" >&2
done
finish
