# shellcheck shell=bash
# The shared library of sis's shell tests. Source it first thing, by a path that works from any
# working directory:
#   tests/NAME.sh:      . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   tests/DIR/NAME.sh:  . "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# It sets -u and pipefail, and provides:
#   SIS_ROOT                  the checkout (absolute); scripts usually cd "$SIS_ROOT" themselves
#   SIS_TEST                  this script's name (tests/kernel/boot.sh -> kernel/boot)
#   status                    0, or 1 after any notok; finish exits with it
#   tmp                       a fresh directory (mktemp -d under ${SIS_TMPDIR:-${TMPDIR:-/tmp}}),
#                             removed at exit after every cleanup has run
#   on_exit 'CMD'             registers a cleanup; they run at exit in reverse order, errors
#                             ignored. Scripts must not install an EXIT trap of their own.
#   ok NAME                   "ok NAME"
#   notok NAME [DETAIL...]    "not ok NAME", each DETAIL line as "  # LINE"; status=1
#   skip NAME WHY             "skip NAME: WHY" (run-tests.sh counts it apart, never as a pass)
#   check NAME CMD...         ok when CMD exits 0 (its output is shown on failure)
#   expect NAME CODE PATTERN CMD...
#                             runs CMD, stdout to $tmp/out and stderr to $tmp/err; ok when its exit
#                             code is CODE and PATTERN (an extended regex, matched line by line
#                             against stderr and stdout; empty: no output check) matches. Leaves
#                             $last_rc and $last_out (stderr then stdout) for further checks.
#   has PATTERN TEXT          true when a line of TEXT matches the extended regex PATTERN. Use it on
#                             captured output (out=$(cmd); has PAT "$out") instead of cmd | grep -q:
#                             under pipefail, a reader that exits early fails the producer (SIGPIPE).
#   lines N TEXT              the first N lines of TEXT (for notok's detail: no pipe into head)
#   wait_until SECONDS CMD... polls CMD every 0.1 s until it succeeds (0) or SECONDS pass (1)
#   gone PID                  true when the process is gone (a zombie counts as gone)
#   need_root, need_cmd CMD...
#                             print one "skip SIS_TEST: needs ..." line and exit 0 when unmet
#   lock_host                 takes /run/lock/sis-tests.lock (flock) for the rest of the script, so
#                             two runs on one machine never share netns names, /run, cgroups or
#                             /srv/jailer. Re-entrant: a no-op under a parent that holds it already
#                             (lock_host in a calling script, or `flock FILE make check`).
#   netns_new NAME            ip netns add NAME, lo up; deleted at exit
#   inns NS CMD...            CMD in NS's network namespace only (nsenter --net: the mount
#                             namespace stays the host's, unlike ip netns exec)
#   uplink_world TH INET      links namespace TH (up0, 198.51.100.2/24, its default route) to
#                             namespace INET (eth0, 198.51.100.1/24) by a veth pair: the tests'
#                             stand-in for a host's uplink and the internet. Both must exist.
#   fake_kernel FILE RELEASE [KIB]
#                             a file that passes for a kernel: random bytes around a
#                             "Linux version RELEASE" banner (nothing boots it)
#   standin_vmm DIR           DIR/firecracker (prints "Firecracker v1.16.1") and DIR/jailer, a
#                             stand-in Jailer v1.16.1: it records its argv (jailer.argv), speculation
#                             state (jailer.spec) and environment (jailer.env) next to the chroot,
#                             then starts tests/launch/fc-server.py on <chroot>/run/firecracker.socket
#                             recording to requests.jsonl (with --no-api: copies vm-config.json and
#                             boots from it, writing to its log FIFO, as Firecracker does). Faults for
#                             fc-server, one a line, in DIR/jailer.faults ("nokvm": a host without KVM).
#   STANDIN_JAILER_HEAD       the start of every stand-in jailer script (text for an unquoted
#                             here-document): answers --version as Jailer v1.16.1, parses the
#                             options the real one takes into id, base, uid, gid, netns, cgv, cgset
#                             (each --cgroup) and vmm (what follows --), sets vm (the chroot's
#                             parent), root (the chroot) and args (the whole argv), and defines
#                             cgdir CONTROLLER (the VM's cgroup in that controller's hierarchy)
#   dev_policy DIR CHROOT-BASE UID-RANGE [REASON]
#                             audits this host against DIR's stand-ins into DIR/audit.json and writes
#                             DIR/dev-policy.json (0644), a development policy waiving exactly what
#                             fails here; returns sis-audit's exit code
#   finish                    exits with $status

set -uo pipefail

SIS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SIS_TEST=$(cd "$(dirname "$0")" && pwd)/$(basename "$0" .sh)
SIS_TEST=${SIS_TEST#"$SIS_ROOT/tests/"}
status=0
last_rc=0
last_out=
_sis_cleanups=()

tmp=$(mktemp -d "${SIS_TMPDIR:-${TMPDIR:-/tmp}}/sis-${SIS_TEST//\//-}.XXXXXX") || { echo "not ok $SIS_TEST: mktemp"; exit 1; }

on_exit() { _sis_cleanups+=("$1"); }
_sis_exit() {
        set +eu
        local i
        for ((i = ${#_sis_cleanups[@]} - 1; i >= 0; i--)); do
                eval "${_sis_cleanups[i]}" || true
        done
        [ -n "${tmp:-}" ] && [ -d "$tmp" ] && rm -rf "$tmp"
}
trap _sis_exit EXIT
# a signal ends the script through exit, so the cleanups run then too
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

ok() { echo "ok $1"; }
notok() {
        echo "not ok $1"
        status=1
        shift
        local d
        for d in "$@"; do
                [ -n "$d" ] || continue
                while IFS= read -r line; do echo "  # $line"; done <<< "$d"
        done
}
skip() { echo "skip $1: $2"; }
finish() { exit "$status"; }

has() { grep -qE -- "$1" <<< "$2"; }
lines() { [ -z "$2" ] || head -n "$1" <<< "$2"; }

check() { # NAME CMD...
        local name=$1
        shift
        if "$@" > "$tmp/check.out" 2>&1; then ok "$name"
        else notok "$name" "exit $?" "$(head -5 "$tmp/check.out")"; fi
}

expect() { # NAME CODE PATTERN CMD...
        local name=$1 want=$2 pat=$3
        shift 3
        "$@" > "$tmp/out" 2> "$tmp/err"
        last_rc=$?
        last_out=$(cat "$tmp/err" "$tmp/out")
        if [ "$last_rc" = "$want" ] && { [ -z "$pat" ] || has "$pat" "$last_out"; }; then
                ok "$name"
        else
                local why="exit $last_rc, want $want"
                [ -n "$pat" ] && why="$why, output matching: $pat"
                notok "$name" "$why" "$(lines 8 "$last_out")"
        fi
}

wait_until() { # SECONDS CMD...
        local n=$(($1 * 10))
        shift
        while ! "$@"; do
                n=$((n - 1))
                [ "$n" -gt 0 ] || return 1
                sleep 0.1
        done
}

gone() { [ ! -e "/proc/$1" ] || grep -qs '^State:.*Z' "/proc/$1/status"; }

need_root() {
        [ "$(id -u)" = 0 ] && return 0
        skip "$SIS_TEST" "needs root${1:+ ($1)}"
        exit 0
}
need_cmd() {
        local c _sis_missing=()
        for c in "$@"; do command -v "$c" > /dev/null || _sis_missing+=("$c"); done
        [ ${#_sis_missing[@]} = 0 ] && return 0
        skip "$SIS_TEST" "needs ${_sis_missing[*]}"
        exit 0
}

# --- the host-wide lock ---------------------------------------------------------------------------
SIS_LOCK_FILE=${SIS_LOCK_FILE:-/run/lock/sis-tests.lock}
_sis_lock_held_by_ancestor() { # true when a process above us holds the flock on the lock file
        local ino holders p
        ino=$(stat -c %i "$SIS_LOCK_FILE" 2> /dev/null) || return 1
        holders=" $(awk -v ino="$ino" '$2 == "FLOCK" { n = split($6, f, ":"); if (f[n] == ino) print $5 }' /proc/locks | tr '\n' ' ') "
        p=$$
        while [ -n "$p" ] && [ "$p" -gt 1 ]; do
                [[ $holders == *" $p "* ]] && return 0
                p=$(awk '$1 == "PPid:" { print $2 }' "/proc/$p/status" 2> /dev/null)
        done
        return 1
}
lock_host() {
        if [ -n "${SIS_HOST_LOCKED:-}" ] && kill -0 "$SIS_HOST_LOCKED" 2> /dev/null; then return 0; fi
        mkdir -p "$(dirname "$SIS_LOCK_FILE")"
        _sis_lock_held_by_ancestor && return 0
        # The lock lives in a small holder process, not in this shell: a file descriptor here would
        # be inherited by every daemon a test starts and keep the lock after the script is gone.
        # The holder leaves when this script does (cleanup, or within a second of a SIGKILL).
        local ready=$tmp/.host-locked me=$$ waited=0
        (
                exec 9> "$SIS_LOCK_FILE" || exit 1
                flock -w "${SIS_LOCK_WAIT:-3600}" 9 || exit 1
                : > "$ready"
                while kill -0 "$me" 2> /dev/null; do sleep 1 9>&-; done
        ) < /dev/null > /dev/null 2>&1 &
        local holder=$!
        on_exit "kill $holder 2>/dev/null; wait $holder 2>/dev/null"
        while [ ! -e "$ready" ]; do
                if ! kill -0 "$holder" 2> /dev/null; then
                        notok "$SIS_TEST: the host lock $SIS_LOCK_FILE (not had in ${SIS_LOCK_WAIT:-3600} s)"
                        finish
                fi
                [ "$waited" = 20 ] && echo "# $SIS_TEST: waiting for $SIS_LOCK_FILE" >&2
                waited=$((waited + 1))
                sleep 0.1
        done
        export SIS_HOST_LOCKED=$holder
}

# --- namespaces -----------------------------------------------------------------------------------
netns_new() {
        ip netns add "$1" || return 1
        on_exit "ip netns del '$1' 2>/dev/null"
        ip -n "$1" link set lo up
}
inns() {
        local ns=$1
        shift
        nsenter --net="/run/netns/$ns" "$@"
}

# --- stand-ins for the launch tests ---------------------------------------------------------------
fake_kernel() { # FILE RELEASE [KIB]
        local k=${3:-300}
        { head -c "${k}K" /dev/urandom; printf 'Linux version %s (sis@build) #1 SMP\0' "$2"; head -c "${k}K" /dev/urandom; } > "$1"
}

uplink_world() { # TH INET
        ip -n "$1" link add up0 type veth peer name eth0 netns "$2" &&
                ip -n "$1" addr add 198.51.100.2/24 dev up0 && ip -n "$2" addr add 198.51.100.1/24 dev eth0 &&
                ip -n "$1" link set up0 up && ip -n "$2" link set eth0 up &&
                ip -n "$1" route add default via 198.51.100.1 dev up0
}

# shellcheck disable=SC2016 # text for the stand-ins' scripts: expanded there, not here
STANDIN_JAILER_HEAD='#!/bin/bash
[ "$1" = --version ] && { echo "Jailer v1.16.1"; exit 0; }
args=("$@")
id= base= uid= gid= netns= cgv=1 vmm=() cgset=()
while [ $# -gt 0 ]; do
        case $1 in
        --id) id=$2; shift ;;
        --chroot-base-dir) base=$2; shift ;;
        --uid) uid=$2; shift ;;
        --gid) gid=$2; shift ;;
        --netns) netns=$2; shift ;;
        --cgroup-version) cgv=$2; shift ;;
        --cgroup) cgset+=("$2"); shift ;;
        --) shift; vmm=("$@"); break ;;
        esac
        shift
done
vm="$base/firecracker/$id"
root="$vm/root"
# DIR...: made (mkdir -p) by a process that dies with this jailer, as the real one makes them in its
# own process: the parent-death signal sis-launch gives the jailer is not inherited, and a mkdir(1)
# of its own outlived a SIGKILLed launch and made a cgroup after its clean
mkdirs() {
        /usr/bin/python3 -c '"'"'import ctypes, os, sys
ctypes.CDLL(None).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
if os.getppid() != int(sys.argv[1]):
    sys.exit(1)
for d in sys.argv[2:]:
    os.makedirs(d, exist_ok=True)'"'"' "$$" "$@"
}
cgdir() { # CONTROLLER: the VM'"'"'s cgroup in its hierarchy
        if [ "$cgv" = 2 ]; then
                echo "/sys/fs/cgroup/firecracker/$id"
        else
                echo "$(awk -v c="$1" '"'"'$3 == "cgroup" && $4 ~ ("(^|,)" c "(,|$)") { print $2; exit }'"'"' /proc/self/mounts)/firecracker/$id"
        fi
}'

standin_vmm() { # DIR
        local d=$1
        mkdir -p "$d"
        cat > "$d/jailer" << EOF
$STANDIN_JAILER_HEAD
# stand-in jailer (sis tests): record, then start the recording API server as the VMM, as the
# real jailer would: in the VM's cgroups (firecracker/<id>, each --cgroup FILE=VALUE written in
# its controller's hierarchy), as the VM's uid and gid
printf '%s\n' "\${args[@]}" > "\$vm/jailer.argv"
# as the real one does (FOLDER_HIERARCHY in src/jailer/src/env.rs): the jail's /, /dev and /run
# become the VM uid's, mode 0700
# (and the VM's cgroups, in one go: a process each costs a python start)
cgs=("\$(cgdir pids)")
for a in "\${cgset[@]}"; do
        f=\${a%%=*}
        d=\$(cgdir "\${f%%.*}")
        [[ " \${cgs[*]} " == *" \$d "* ]] || cgs+=("\$d")
done
mkdirs "\$root/dev" "\$root/run" "\${cgs[@]}" || exit 1
chown "\$uid:\$gid" "\$root" "\$root/dev" "\$root/run"
chmod 700 "\$root" "\$root/dev" "\$root/run"
grep -E '^Speculation' /proc/self/status > "\$vm/jailer.spec"
env > "\$vm/jailer.env"
if [ "\$cgv" = 2 ]; then
        echo "+cpu +memory +pids" > /sys/fs/cgroup/cgroup.subtree_control 2> /dev/null
        echo "+cpu +memory +pids" > /sys/fs/cgroup/firecracker/cgroup.subtree_control 2> /dev/null
fi
for a in "\${cgset[@]}"; do
        f=\${a%%=*}
        echo "\${a#*=}" > "\$(cgdir "\${f%%.*}")/\$f"
done
# the VMM cannot reach <base>/firecracker/<id> (root's, 0700): what it uses is handed over open,
# the record file on fd 3, the jail's root on fd 4 (as the real one sees its chroot)
# faults, one a line: "METHOD PATH=STATUS:MESSAGE" for fc-server.py, or "nokvm" (a host without KVM)
rec=/dev/null
fargs=(--id "\$id" --root /proc/self/fd/4)
# "guest N": a guest that uses N MiB (held by the server, and in its snapshots' memory file)
[ -f "\$0.faults" ] && while read -r f; do
        case \$f in
        nokvm) fargs+=(--no-kvm) ;;
        guest\ *) fargs+=(--guest-mib "\${f#guest }") ;;
        *) fargs+=(--fault "\$f") ;;
        esac
done < "\$0.faults"
if [[ " \${vmm[*]} " == *" --no-api "* ]]; then
        cp "\$root/vm-config.json" "\$vm/vm-config.json"
        run=(/usr/bin/python3 $SIS_ROOT/tests/launch/fc-server.py --config-file /proc/self/fd/4/vm-config.json "\${fargs[@]}")
else
        rec=\$vm/requests.jsonl
        : >> "\$rec"
        chmod 666 "\$rec"
        run=(/usr/bin/python3 $SIS_ROOT/tests/launch/fc-server.py --socket /proc/self/fd/4/run/firecracker.socket
             --record /proc/self/fd/3 "\${fargs[@]}")
fi
# shellcheck disable=SC2016 # \$\$ and \$1 belong to the inner shell
setsid sh -c 'for d in \$1; do echo \$\$ > "\$d/cgroup.procs" || exit 1; done && shift && exec "\$@"' sh "\${cgs[*]}" \\
        setpriv --reuid="\$uid" --regid="\$gid" --clear-groups "\${run[@]}" 3>> "\$rec" 4< "\$root" \\
        < /dev/null > /dev/null 2>&1 &
echo \$! > "\$root/firecracker.pid"
EOF
        printf '#!/bin/sh\necho "Firecracker v1.16.1"\n' > "$d/firecracker"
        chmod 755 "$d/jailer" "$d/firecracker"
}

dev_policy() { # DIR CHROOT-BASE UID-RANGE [REASON]
        local d=$1 rc
        "$SIS_ROOT/build/sis-audit" --format json --firecracker "$d/firecracker" --jailer "$d/jailer" --chroot-base "$2" \
                --jail-uid "$3" --jail-gid "$3" > "$d/audit.json" 2> /dev/null
        rc=$?
        /usr/bin/python3 "$SIS_ROOT/tests/launch/dev-policy.py" "$d/audit.json" "$d/dev-policy.json" ${4:+"$4"}
        chmod 644 "$d/dev-policy.json"
        return "$rc"
}

# Serve DIR with the real prometheus-node-exporter's textfile collector on a free loopback port and
# scrape it once into FILE. 0 when a scrape came back (FILE then holds it), 1 otherwise.
scrape_textfile() { # DIR FILE
        local ne port ne_pid got=1
        ne=$(command -v prometheus-node-exporter) || return 1
        for _ in 1 2 3 4 5; do
                port=$((20000 + RANDOM % 20000))
                "$ne" --web.listen-address="127.0.0.1:$port" --collector.disable-defaults --collector.textfile \
                        --collector.textfile.directory="$1" > "$tmp/ne.log" 2>&1 &
                ne_pid=$!
                for _ in $(seq 100); do
                        curl -sf "http://127.0.0.1:$port/metrics" > "$2" 2> /dev/null && { got=0; break; }
                        kill -0 "$ne_pid" 2> /dev/null || break
                        sleep 0.1
                done
                kill "$ne_pid" 2> /dev/null
                wait "$ne_pid" 2> /dev/null
                [ "$got" = 0 ] && return 0
        done
        return 1
}
