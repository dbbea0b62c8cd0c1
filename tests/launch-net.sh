#!/usr/bin/env bash
# sis-launch's per-VM network, between network namespaces this test makes (root only). Nothing
# here has a route to a real interface, and no packet is sent to an address that a test
# namespace does not own:
#
#   inet  198.51.100.1/24 (TEST-NET-2)  "the internet", a web server      }
#   lan   10.99.0.1/24                  a private network, a web server   }-- veths to th
#   meta  169.254.169.254               the cloud metadata address, with   }
#         192.0.2.1/24 (TEST-NET-1)     an ordinary address and Azure's    }
#         168.63.129.16                 WireServer on the same link        }
#   th    the test's host: sis-launch runs here (nsenter --net), uplink up0 198.51.100.2
#   guest 172.16.0.2/30                 plays the VM: tests/launch/tap-relay.py moves frames
#                                       between the VM's tap0 (attached as the VM's uid, as
#                                       Firecracker would) and a veth to this namespace
#   g2..g4                              the guests of VMs n2..n4 (uplinks md0, md0, lan0)
# Prints "ok NAME" / "not ok NAME".
# shellcheck source=tests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_root "network namespaces"
need_cmd ip nsenter ethtool nft curl ping setpriv
cd "$SIS_ROOT" || exit 1
lock_host
bin=$PWD/build/sis-launch
sfx=$$
TH=sist-th-$sfx INET=sist-inet-$sfx LAN=sist-lan-$sfx META=sist-meta-$sfx GUEST=sist-guest-$sfx
inth() { inns "$TH" "$@"; }

# --- the test's world ----------------------------------------------------------------------------
for n in $TH $INET $LAN $META $GUEST; do netns_new "$n" || { notok "net: ip netns add $n"; finish; }; done
cleanup() {
        for d in "$tmp"/run/vms/*/; do [ -d "$d" ] && inth "$bin" clean --run-dir "$tmp/run" --chroot-base "$tmp/jail" "$(basename "$d")" > /dev/null 2>&1; done
        [ -e /run/netns/sis-n1 ] && ip netns del sis-n1 2> /dev/null # ours: the host lock is held
        pkill -f "tap-relay.py tap0 gw0-$sfx" 2> /dev/null
        pkill -f "fc-server.py --socket $tmp" 2> /dev/null
        pkill -f "http.server --bind .* --directory $tmp" 2> /dev/null
        pkill -f "bulk.py (sink|echo) 900" 2> /dev/null # the test's own: the host lock is held
}
on_exit cleanup
link() { # NS-A IF-A ADDR-A NS-B IF-B ADDR-B: a veth made inside the namespaces, never in the host's
        ip -n "$1" link add "$2" type veth peer name "$5" netns "$4"
        ip -n "$1" addr add "$3" dev "$2"
        ip -n "$4" addr add "$6" dev "$5"
        ip -n "$1" link set "$2" up
        ip -n "$4" link set "$5" up
}
link "$TH" up0 198.51.100.2/24 "$INET" eth0 198.51.100.1/24
link "$TH" lan0 10.99.0.2/24 "$LAN" eth0 10.99.0.1/24
link "$TH" md0 169.254.1.1/16 "$META" eth0 169.254.169.254/16
ip -n "$TH" route add default via 198.51.100.1 dev up0
# behind md0 too: an ordinary address (TEST-NET-1) and Azure's WireServer, both META's own
ip -n "$TH" addr add 192.0.2.2/24 dev md0
ip -n "$META" addr add 192.0.2.1/24 dev eth0
ip -n "$META" addr add 168.63.129.16/32 dev eth0
ip -n "$TH" route add 168.63.129.16/32 dev md0
echo "reached" > "$tmp/marker.txt"
served() { inns "$1" curl -s --max-time 2 -o /dev/null "http://127.0.0.1:$2/marker.txt"; }
for n in $INET $LAN $META; do
        inns "$n" /usr/bin/python3 -m http.server --bind 0.0.0.0 --directory "$tmp" 8080 > /dev/null 2>&1 &
done
# every server answers in its own namespace before anything is tested: a "cannot reach" below
# then means the network, not a server still starting
for n in $INET $LAN $META; do wait_until 20 served "$n" 8080 || notok "net: the web server in $n did not start"; done
# and the test's host reaches each of them: what a VM cannot reach below, its firewall stopped
unreached=
for u in 198.51.100.1 10.99.0.1 169.254.169.254 192.0.2.1 168.63.129.16; do
        [ "$(inth curl -s --max-time 2 -o /dev/null -w '%{http_code}' "http://$u:8080/marker.txt")" = 200 ] || unreached+=" $u"
done
[ -z "$unreached" ] && ok "net: the test's host reaches every server (inet, lan, metadata, 192.0.2.1, WireServer)" ||
        notok "net: the test's host does not reach$unreached"
get() { # URL: from the guest namespace
        inns "$GUEST" curl -s --max-time 2 -o /dev/null -w '%{http_code}' "$1" 2> /dev/null
}
reaches() { [ "$(get "$1")" = 200 ]; }

# --- a VM with the default network ---------------------------------------------------------------
mkdir -p "$tmp/img"
fake_kernel "$tmp/img/vmlinux" 6.1.0-sis 64
head -c 1M /dev/urandom > "$tmp/img/rootfs.ext4"
standin_vmm "$tmp"
dev_policy "$tmp" "$tmp/jail" 20100-20109 "network tests"
L=(--run-dir "$tmp/run" --chroot-base "$tmp/jail" --uid-range 20100-20109 --jailer "$tmp/jailer" --firecracker "$tmp/firecracker"
   --policy "$tmp/dev-policy.json" --kernel "$tmp/img/vmlinux" --rootfs "$tmp/img/rootfs.ext4")
inth "$bin" run --name n1 "${L[@]}" --net-pool 172.31.0.0/24 --deny 198.51.100.99/32 > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc = 0 ] && grep -q 'network: /run/netns/sis-n1, tap0 for 172.16.0.2, sisv0 172.31.0.1/30 -> NAT out of up0' "$tmp/err" &&
        ok "net: n1 starts with its own namespace, NAT out of the (test) uplink" || notok "net: run (exit $rc)" "$(tail -5 "$tmp/err")"
grep -qx -- '--netns' "$tmp/jail/firecracker/n1/jailer.argv" && grep -qx /run/netns/sis-n1 "$tmp/jail/firecracker/n1/jailer.argv" &&
        ok "net: the jailer joins the VM's namespace (--netns)" || notok "net: jailer --netns"
grep -q '"host_dev_name": "tap0"' "$tmp/jail/firecracker/n1/requests.jsonl" &&
        grep -q 'ip=172.16.0.2::172.16.0.1:255.255.255.252::eth0:off' "$tmp/jail/firecracker/n1/requests.jsonl" &&
        /usr/bin/python3 tests/launch/validate.py tests/launch/firecracker-api.yaml --requests "$tmp/jail/firecracker/n1/requests.jsonl" > /dev/null &&
        ok "net: tap0 and ip= go to Firecracker (requests validate)" || notok "net: requests"
uid=$(/usr/bin/python3 -c "import json; print(json.load(open('$tmp/run/vms/n1/state.json'))['uid'])")
[ "$(ip -n sis-n1 -o link show tap0 2> /dev/null | grep -c 'tap0')" = 1 ] && [ -z "$(ip -o link show tap0 2> /dev/null)" ] &&
        [ -z "$(inth ip -o link show tap0 2> /dev/null)" ] && ok "net: tap0 exists inside the VM's namespace only" || notok "net: tap0 placement"

# the guest: a veth from the VM's namespace to the guest namespace, tap0 <-> gw0 relayed as the VM's uid
ip -n sis-n1 link add "gw0-$sfx" type veth peer name eth0 netns "$GUEST"
# gw0 is the relay's, not an interface of the namespace: no ARP answers from it (Firecracker's
# side of a TAP has no such second interface)
ip -n sis-n1 link set "gw0-$sfx" arp off up
ip -n "$GUEST" addr add 172.16.0.2/30 dev eth0
ip -n "$GUEST" link set eth0 up
ip -n "$GUEST" route add default via 172.16.0.1
# a virtio-net guest hands the TAP finished checksums; a veth would leave them to "hardware"
inns "$GUEST" ethtool -K eth0 tx off > /dev/null
inns sis-n1 /usr/bin/python3 tests/launch/tap-relay.py tap0 "gw0-$sfx" "$uid" > "$tmp/relay.log" 2>&1 &
wait_until 20 grep -q attached "$tmp/relay.log" && ok "net: the VM's uid can attach to tap0 (TUNSETOWNER), as Firecracker will" ||
        notok "net: tap attach" "$(cat "$tmp/relay.log")"
wait_until 20 reaches http://198.51.100.1:8080/marker.txt && ok "net: the guest reaches the internet namespace (through NAT)" || notok "net: no route out"
[ "$(get http://10.99.0.1:8080/marker.txt)" != 200 ] && ok "net: the guest cannot reach a private address (10.99.0.1)" || notok "net: private address reachable"
[ "$(get http://169.254.169.254:8080/marker.txt)" != 200 ] && ok "net: the guest cannot reach the metadata address" || notok "net: metadata reachable"
[ "$(get http://198.51.100.2:8080/)" != 200 ] && ! inns "$GUEST" ping -c1 -W1 198.51.100.2 > /dev/null 2>&1 &&
        ok "net: the guest cannot reach the host itself" || notok "net: host reachable"
! inns "$GUEST" ping -c1 -W1 172.31.0.1 > /dev/null 2>&1 && ok "net: nor the host's end of its link" || notok "net: link address reachable"
inns "$INET" /usr/bin/python3 -m http.server --bind 198.51.100.1 --directory "$tmp" 8081 > /dev/null 2>&1 &
wait_until 20 reaches http://198.51.100.1:8081/marker.txt && ok "net: any port on the internet side" || notok "net: port 8081"
# the per-VM deny list (198.51.100.99 is not owned by anyone: the rule must drop it before it leaves)
deny=$(inns sis-n1 nft list set inet sis deny 2>&1)
has "198\.51\.100\.99" "$deny" && ok "net: the per-VM deny list is in the VM's rules" || notok "net: deny list" "$deny"
inth nft list table ip sis-n1 > /dev/null 2>&1 && ok "net: the host has its masquerade and isolation rules" || notok "net: host rules"

# --- the VMM's own traffic; --deny and the never set before --allow; one table per VM -------------
vm_uid() { /usr/bin/python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['uid'])" "$tmp/run/vms/$1/state.json"; }
# what the VMM would get connecting from the VM's namespace as the VM's uid: its only way out is
# what it writes to tap0, forwarded (and filtered) as the guest's
vmm_get() { # VM URL
        local u
        u=$(vm_uid "$1")
        inns "sis-$1" setpriv --reuid="$u" --regid="$u" --clear-groups curl -s --max-time 2 -o /dev/null -w '%{http_code}' "$2" 2> /dev/null
}
# a guest for VM: namespace NS, relay on gwN-$sfx (started directly: $! is the relay)
declare -A relay=()
# shellcheck disable=SC2016 # expanded at exit, when every relay has started
on_exit 'for p in "${relay[@]}"; do kill "$p" 2> /dev/null; done'
guest_for() { # VM NS N
        local gw=gw$3-$sfx u
        u=$(vm_uid "$1")
        netns_new "$2" || return 1
        ip -n "sis-$1" link add "$gw" type veth peer name eth0 netns "$2" &&
                ip -n "sis-$1" link set "$gw" arp off up &&
                ip -n "$2" addr add 172.16.0.2/30 dev eth0 &&
                ip -n "$2" link set eth0 up &&
                ip -n "$2" route add default via 172.16.0.1 &&
                inns "$2" ethtool -K eth0 tx off > /dev/null || return 1
        nsenter --net="/run/netns/sis-$1" /usr/bin/python3 tests/launch/tap-relay.py tap0 "$gw" "$u" > "$tmp/relay-$1.log" 2>&1 &
        relay[$1]=$!
        wait_until 20 grep -q attached "$tmp/relay-$1.log"
}
get_from() { # NS URL
        inns "$1" curl -s --max-time 2 -o /dev/null -w '%{http_code}' "$2" 2> /dev/null
}
reaches_from() { [ "$(get_from "$1" "$2")" = 200 ]; }
run_vm() { # NAME ARGS...: a VM on the test's pool; ok when it starts
        local name=$1
        shift
        inth "$bin" run --name "$name" "${L[@]}" --net-pool 172.31.0.0/24 "$@" > "$tmp/out-$name" 2> "$tmp/err-$name" ||
                { notok "net: $name does not start" "$(tail -5 "$tmp/err-$name")"; return 1; }
}

# n1 (uplink up0): its guest reaches the internet namespace, the VMM from the namespace does not
reaches http://198.51.100.1:8080/marker.txt && [ "$(vmm_get n1 http://198.51.100.1:8080/marker.txt)" != 200 ] &&
        ok "net: the VMM's own connection from the VM's namespace (as its uid) does not leave, the guest's does" ||
        notok "net: VMM traffic from the namespace" "vmm: $(vmm_get n1 http://198.51.100.1:8080/marker.txt)"
# n2 and n3 leave by md0, where the metadata server is: only their own rules stand in the way
G2=sist-g2-$sfx G3=sist-g3-$sfx G4=sist-g4-$sfx
if run_vm n2 --uplink md0 --allow 169.254.0.0/16 --deny 169.254.169.254/32 --allow 192.0.2.0/24 && guest_for n2 "$G2" 2; then
        wait_until 20 reaches_from "$G2" http://192.0.2.1:8080/marker.txt && ok "net: n2's guest reaches an allowed address out of its own uplink (md0)" ||
                notok "net: n2 no route out of md0"
        [ "$(get_from "$G2" http://169.254.169.254:8080/marker.txt)" != 200 ] &&
                ok "net: --allow 169.254.0.0/16 --deny 169.254.169.254/32 does not reach the metadata address (deny wins)" ||
                notok "net: metadata reached through an allowed range"
        [ "$(vmm_get n2 http://169.254.169.254:8080/marker.txt)" != 200 ] && [ "$(vmm_get n2 http://192.0.2.1:8080/marker.txt)" != 200 ] &&
                ok "net: the VMM's own connection reaches neither the metadata address nor what its guest may reach" ||
                notok "net: VMM reaches the metadata address"
fi
if run_vm n3 --uplink md0 --allow 169.254.169.254/32 --allow 0.0.0.0/0 && guest_for n3 "$G3" 3; then
        wait_until 20 reaches_from "$G3" http://192.0.2.1:8080/marker.txt && ok "net: n3's guest reaches an allowed address out of md0" ||
                notok "net: n3 no route out of md0"
        [ "$(get_from "$G3" http://169.254.169.254:8080/marker.txt)" != 200 ] &&
                ok "net: --allow 169.254.169.254/32 does not open the metadata address (never set)" || notok "net: metadata allowed"
        [ "$(get_from "$G3" http://168.63.129.16:8080/marker.txt)" != 200 ] &&
                ok "net: --allow 0.0.0.0/0 does not open Azure's WireServer 168.63.129.16" || notok "net: WireServer reachable"
fi
# n4 leaves by lan0: --allow opens the private LAN to its guest, never to its VMM
if run_vm n4 --uplink lan0 --allow 10.99.0.0/24 && guest_for n4 "$G4" 4; then
        wait_until 20 reaches_from "$G4" http://10.99.0.1:8080/marker.txt && ok "net: --allow 10.99.0.0/24 reaches the LAN" ||
                notok "net: allowed LAN unreachable"
        [ "$(vmm_get n4 http://10.99.0.1:8080/marker.txt)" != 200 ] && ok "net: the VMM's own connection does not reach the LAN its guest may" ||
                notok "net: VMM reaches the LAN"
fi
# --- fair share and visibility: n5 with --net-rate 10 --max-conns 20 beside n1 (no limits) --------
G5=sist-g5-$sfx
inns "$INET" /usr/bin/python3 tests/launch/bulk.py sink 9000 > /dev/null 2>&1 &
inns "$INET" /usr/bin/python3 tests/launch/bulk.py echo 9001 > /dev/null 2>&1 &
metric() { # TEXT NAME LABELS: the value of the sample NAME{vm=...,LABELS} in TEXT (empty when none)
        awk -v want="$2{$3}" '$1 == want { print $2 }' <<< "$1"
}
if run_vm n5 --net-rate 10 --max-conns 20 && guest_for n5 "$G5" 5; then
        wait_until 20 reaches_from "$G5" http://198.51.100.1:8080/marker.txt || notok "net: n5's guest has no route out"
        has 'limits: net 10 Mbit/s \(burst 122 KiB\), 20 connections' "$(cat "$tmp/err-n5")" &&
                ok "net: n5 says its limits as it starts" || notok "net: n5's limits line" "$(cat "$tmp/err-n5")"
        /usr/bin/python3 - "$tmp/jail/firecracker/n5/requests.jsonl" << 'EOF' &&
import json, sys
d = {r["path"]: r["body"] for r in map(json.loads, open(sys.argv[1]))}
want = {"bandwidth": {"size": 125000, "refill_time": 100}}
assert d["/network-interfaces/eth0"]["rx_rate_limiter"] == want and d["/network-interfaces/eth0"]["tx_rate_limiter"] == want
assert "rate_limiter" not in d["/drives/rootfs"]
EOF
                /usr/bin/python3 tests/launch/validate.py tests/launch/firecracker-api.yaml --requests "$tmp/jail/firecracker/n5/requests.jsonl" > /dev/null &&
                ok "net: n5's interface gets Firecracker's rx/tx rate_limiter (1.25 MB/s), and the requests validate against the swagger" ||
                notok "net: n5's rate limiter requests"
        has 'net=10,conns=20 +[^ ]+ +running' "$(inth "$bin" list --run-dir "$tmp/run")" && ok "net: list shows n5's limits" ||
                notok "net: list" "$(inth "$bin" list --run-dir "$tmp/run")"
        # both at once, 4 s each: the kernel's bucket (tc tbf on uplink0) holds n5, n1 runs free
        inns "$G5" /usr/bin/python3 tests/launch/bulk.py send 198.51.100.1 9000 4 > "$tmp/rate-n5" 2>&1 &
        p5=$!
        inns "$GUEST" /usr/bin/python3 tests/launch/bulk.py send 198.51.100.1 9000 4 > "$tmp/rate-n1" 2>&1
        wait "$p5"
        r5=$(cut -d' ' -f1 "$tmp/rate-n5") r1=$(cut -d' ' -f1 "$tmp/rate-n1")
        awk -v r="$r5" 'BEGIN { exit !(r >= 8 && r <= 11) }' && ok "net: --net-rate 10: n5's bulk upload runs at $r5 Mbit/s" ||
                notok "net: n5's upload at ${r5:-?} Mbit/s, not 8 to 11" "$(cat "$tmp/rate-n5")"
        awk -v r="$r1" 'BEGIN { exit !(r >= 30) }' && ok "net: n1 beside it, no limit: $r1 Mbit/s at the same time" ||
                notok "net: n1 at ${r1:-?} Mbit/s beside the limited n5" "$(cat "$tmp/rate-n1")"
        # the connection cap: 20 stay up, the 21st is dropped; once they close, a new one opens
        conns=$(inns "$G5" /usr/bin/python3 tests/launch/bulk.py conns 198.51.100.1 9001 21 2>&1)
        [ "$conns" = "connected 20 alive 20" ] && ok "net: --max-conns 20: the 21st connection is refused while 20 stay up" ||
                notok "net: connection cap" "$conns"
        again() { [ "$(inns "$G5" /usr/bin/python3 tests/launch/bulk.py conns 198.51.100.1 9001 1 2>&1)" = "connected 1 alive 1" ]; }
        wait_until 10 again && ok "net: closed connections free their places" || notok "net: the cap does not let go"
        # probes: the metadata address, a private range, the host itself
        for u in http://169.254.169.254:8080/ http://10.99.0.1:8080/ http://198.51.100.2:8080/; do get_from "$G5" "$u" > /dev/null; done
        denied_all() {
                local d
                d=$(inth "$bin" logs --run-dir "$tmp/run" --denied n5 2>&1)
                has 'vm=n5 reason=metadata proto=tcp dst=169\.254\.169\.254 dport=8080' "$d" && has 'reason=private proto=tcp dst=10\.99\.0\.1 dport=8080' "$d" &&
                        has 'reason=host proto=tcp dst=198\.51\.100\.2 dport=8080' "$d" && has 'reason=conncap proto=tcp dst=198\.51\.100\.1 dport=9001' "$d"
        }
        wait_until 10 denied_all && ok "net: sis-launch logs --denied: the metadata, private, host and connection-cap denials, each named" ||
                notok "net: denied log" "$(inth "$bin" logs --run-dir "$tmp/run" --denied n5 2>&1 | tail -5)"
        d1=$(inth "$bin" logs --run-dir "$tmp/run" --denied n1 2>&1)
        # n1's own probes above are there (the metadata address, the host); nothing of n5's
        has 'vm=n1 reason=metadata' "$d1" && ! has 'vm=n5|reason=conncap|dport=9001' "$d1" &&
                ok "net: n1's denied log has n1's probes, none of n5's" || notok "net: n1's denied log" "$(lines 5 "$d1")"
        m=$(inth "$bin" metrics 2>&1)
        printf '%s\n' "$m" > "$tmp/metrics.prom"
        bad=
        for r in metadata private host conncap; do
                v=$(metric "$m" sis_vm_denied_packets_total "vm=\"n5\",backend=\"firecracker\",reason=\"$r\"")
                [ "${v:-0}" -ge 1 ] || bad+=" $r=${v:-none}"
        done
        [ -z "$bad" ] && ok "net: metrics count n5's denied packets by reason (metadata, private, host, conncap)" || notok "net: denied counters:$bad" "$(grep denied <<< "$m")"
        out=$(metric "$m" sis_vm_network_bytes_total 'vm="n5",backend="firecracker",direction="out"')
        thr=$(metric "$m" sis_vm_network_throttled_total 'vm="n5",backend="firecracker",direction="out"')
        [ "${out:-0}" -ge 4000000 ] && [ "${thr:-0}" -ge 1 ] && ok "net: metrics: n5's guest sent $out bytes, throttled $thr times by the kernel" ||
                notok "net: network counters" "out=${out:-none} throttled=${thr:-none}"
        [ "$(metric "$m" sis_vm_up 'vm="n5",backend="firecracker"')" = 1 ] && promtool check metrics < "$tmp/metrics.prom" > "$tmp/promtool" 2>&1 &&
                ok "net: metrics for $(grep -c '^sis_vm_up{' "$tmp/metrics.prom") running VMs pass promtool check metrics" ||
                notok "net: metrics" "$(cat "$tmp/promtool")"
fi
# one table per VM, each with its own uplink: n2's --uplink did not rewrite n1's
t1=$(inth nft list table ip sis-n1 2>&1) t2=$(inth nft list table ip sis-n2 2>&1)
has 'iifname "sisv0" oifname "up0" masquerade' "$t1" && has 'iifname "sisv1" oifname "md0" masquerade' "$t2" &&
        ! has 'sisv1|md0' "$t1" && ok "net: one host table per VM (ip sis-n1 out of up0, ip sis-n2 out of md0)" ||
        notok "net: per-VM host tables" "$t1" "$t2"
has 'sis-launch:n1' "$(inth ip -o link show sisv0 2>&1)" && ok "net: the host end of n1's veth is tagged as n1's" || notok "net: veth alias"
# tearing the others down leaves n1's table, veth and connectivity
for v in n2 n3 n4 n5; do
        [ -n "${relay[$v]:-}" ] && kill "${relay[$v]}" 2> /dev/null
        inth "$bin" clean --run-dir "$tmp/run" --chroot-base "$tmp/jail" "$v" > /dev/null 2>&1
done
others_gone() {
        local v
        for v in n2 n3 n4; do
                [ ! -e "/run/netns/sis-$v" ] && ! inth nft list table ip "sis-$v" > /dev/null 2>&1 || return 1
        done
        ! has 'sisv[123]' "$(inth ip -o link show 2> /dev/null)"
}
wait_until 10 others_gone && ok "net: n2, n3, n4 torn down (namespaces, tables, veths)" || notok "net: other VMs' teardown"
inth nft list table ip sis-n1 > /dev/null 2>&1 && has 'sis-launch:n1' "$(inth ip -o link show sisv0 2>&1)" &&
        reaches http://198.51.100.1:8081/marker.txt && [ "$(get http://10.99.0.1:8080/marker.txt)" != 200 ] &&
        ok "net: n1's table, veth and connectivity outlive the other VMs' teardown" || notok "net: n1 hurt by another VM's teardown"

# --- teardown ------------------------------------------------------------------------------------
pkill -f "tap-relay.py tap0 gw0-$sfx"
inth "$bin" clean --run-dir "$tmp/run" --chroot-base "$tmp/jail" n1 > /dev/null 2>&1
torn_down() {
        [ ! -e /run/netns/sis-n1 ] && ! has sisv "$(inth ip -o link show 2> /dev/null)" && ! inth nft list table ip sis-n1 > /dev/null 2>&1 &&
                [ ! -e /run/sis/registry/n1.json ] # the registry entry holds the /30 slot
}
wait_until 10 torn_down && ok "net: teardown leaves no namespace, veth, rule or lease" || notok "net: teardown"
inth "$bin" clean --run-dir "$tmp/run" --chroot-base "$tmp/jail" n1 > /dev/null 2>&1 && ok "net: teardown twice is fine" || notok "net: second clean"
! has 'sisv|tap0' "$(ip -o link show)" && ok "net: nothing was ever created in the real host's namespace" || notok "net: host namespace touched"
finish
