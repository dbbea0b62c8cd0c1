#!/usr/bin/env bash
# sis-launch's per-VM network, between network namespaces this test makes (root only). Nothing
# here has a route to a real interface, and no packet is sent to an address that a test
# namespace does not own:
#
#   inet  198.51.100.1/24 (TEST-NET-2)  "the internet", a web server      }
#   lan   10.99.0.1/24                  a private network, a web server   }-- veths to th
#   meta  169.254.169.254               the cloud metadata address         }
#   th    the test's host: sis-launch runs here (nsenter --net), uplink up0 198.51.100.2
#   guest 172.16.0.2/30                 plays the VM: tests/launch/tap-relay.py moves frames
#                                       between the VM's tap0 (attached as the VM's uid, as
#                                       Firecracker would) and a veth to this namespace
# Prints "ok NAME" / "not ok NAME".
set -uo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/build/sis-launch
if [ "$(id -u)" != 0 ] || ! command -v ip > /dev/null || ! command -v nsenter > /dev/null || ! command -v ethtool > /dev/null; then
        echo "ok launch-net: skipped (needs root, iproute2, nsenter, ethtool)"
        exit 0
fi
tmp=$(mktemp -d /tmp/sis-net.XXXXXX)
sfx=$$
TH=sist-th-$sfx INET=sist-inet-$sfx LAN=sist-lan-$sfx META=sist-meta-$sfx GUEST=sist-guest-$sfx
status=0
ok() { echo "ok $1"; }
notok() { echo "not ok $1"; status=1; }
inth() { nsenter --net="/run/netns/$TH" "$@"; }
cleanup() {
        for d in "$tmp"/run/vms/*/; do [ -d "$d" ] && inth "$bin" clean --run-dir "$tmp/run" --chroot-base "$tmp/jail" "$(basename "$d")" > /dev/null 2>&1; done
        pkill -f "tap-relay.py tap0 gw0-$sfx" 2> /dev/null
        pkill -f "fc-server.py --socket $tmp" 2> /dev/null
        pkill -f "http.server --bind .* --directory $tmp" 2> /dev/null
        for n in $TH $INET $LAN $META $GUEST; do ip netns del "$n" 2> /dev/null; done
        rm -rf "$tmp"
}
trap cleanup EXIT

# --- the test's world ----------------------------------------------------------------------------
for n in $TH $INET $LAN $META $GUEST; do ip netns add "$n"; ip -n "$n" link set lo up; done
link() { # NS-A IF-A ADDR-A NS-B IF-B ADDR-B
        ip link add "$2-$sfx" type veth peer name "$5-$sfx"
        ip link set "$2-$sfx" netns "$1"
        ip link set "$5-$sfx" netns "$4"
        ip -n "$1" link set "$2-$sfx" name "$2"
        ip -n "$4" link set "$5-$sfx" name "$5"
        ip -n "$1" addr add "$3" dev "$2"
        ip -n "$4" addr add "$6" dev "$5"
        ip -n "$1" link set "$2" up
        ip -n "$4" link set "$5" up
}
link "$TH" up0 198.51.100.2/24 "$INET" eth0 198.51.100.1/24
link "$TH" lan0 10.99.0.2/24 "$LAN" eth0 10.99.0.1/24
link "$TH" md0 169.254.1.1/16 "$META" eth0 169.254.169.254/16
ip -n "$TH" route add default via 198.51.100.1 dev up0
for n in $INET $LAN $META; do
        ip netns exec "$n" /usr/bin/python3 -m http.server --bind 0.0.0.0 --directory "$tmp" 8080 > /dev/null 2>&1 &
done
echo "reached" > "$tmp/marker.txt"
get() { # URL: from the guest namespace
        ip netns exec "$GUEST" curl -s --max-time 2 -o /dev/null -w '%{http_code}' "$1" 2> /dev/null
}

# --- a VM with the default network ---------------------------------------------------------------
mkdir -p "$tmp/img"
{ head -c 64K /dev/urandom; printf 'Linux version 6.1.0-sis (net) #1\0'; head -c 64K /dev/urandom; } > "$tmp/img/vmlinux"
head -c 1M /dev/urandom > "$tmp/img/rootfs.ext4"
cat > "$tmp/jailer" <<EOF
#!/bin/bash
[ "\$1" = --version ] && { echo "Jailer v1.16.1"; exit 0; }
args=("\$@")
id= base=
while [ \$# -gt 0 ]; do case \$1 in --id) id=\$2; shift ;; --chroot-base-dir) base=\$2; shift ;; --) break ;; esac; shift; done
root="\$base/firecracker/\$id/root"
printf '%s\n' "\${args[@]}" > "\$base/firecracker/\$id/jailer.argv"
mkdir -p "\$root/run"
setsid /usr/bin/python3 $PWD/tests/launch/fc-server.py --socket "\$root/run/firecracker.socket" \\
        --record "\$base/firecracker/\$id/requests.jsonl" < /dev/null > /dev/null 2>&1 &
echo \$! > "\$root/firecracker.pid"
EOF
printf '#!/bin/sh\necho "Firecracker v1.16.1"\n' > "$tmp/firecracker"
chmod 755 "$tmp/jailer" "$tmp/firecracker"
build/sis-audit --format json --firecracker "$tmp/firecracker" --jailer "$tmp/jailer" --chroot-base "$tmp/jail" \
        --jail-uid 20100-20109 --jail-gid 20100-20109 > "$tmp/audit.json" 2> /dev/null
/usr/bin/python3 "$PWD/tests/launch/dev-policy.py" "$tmp/audit.json" "$tmp/policy.json" "network tests"
chmod 644 "$tmp/policy.json"
L=(--run-dir "$tmp/run" --chroot-base "$tmp/jail" --uid-range 20100-20109 --jailer "$tmp/jailer" --firecracker "$tmp/firecracker"
   --policy "$tmp/policy.json" --kernel "$tmp/img/vmlinux" --rootfs "$tmp/img/rootfs.ext4")
inth "$bin" run --name n1 "${L[@]}" --net-pool 172.31.0.0/24 --deny 198.51.100.99/32 > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc = 0 ] && grep -q 'network: /run/netns/sis-n1, tap0 for 172.16.0.2, sisv0 172.31.0.1/30 -> NAT out of up0' "$tmp/err" &&
        ok "net: n1 starts with its own namespace, NAT out of the (test) uplink" || { notok "net: run (exit $rc)"; tail -5 "$tmp/err"; }
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
ip link add "gw0-$sfx" type veth peer name "ge-$sfx"
ip link set "gw0-$sfx" netns sis-n1
ip link set "ge-$sfx" netns "$GUEST"
# gw0 is the relay's, not an interface of the namespace: no ARP answers from it (Firecracker's
# side of a TAP has no such second interface)
ip -n sis-n1 link set "gw0-$sfx" arp off up
ip -n "$GUEST" link set "ge-$sfx" name eth0
ip -n "$GUEST" addr add 172.16.0.2/30 dev eth0
ip -n "$GUEST" link set eth0 up
ip -n "$GUEST" route add default via 172.16.0.1
# a virtio-net guest hands the TAP finished checksums; a veth would leave them to "hardware"
ip netns exec "$GUEST" ethtool -K eth0 tx off > /dev/null
ip netns exec sis-n1 /usr/bin/python3 tests/launch/tap-relay.py tap0 "gw0-$sfx" "$uid" > "$tmp/relay.log" 2>&1 &
for _ in $(seq 50); do grep -q attached "$tmp/relay.log" && break; sleep 0.1; done
grep -q attached "$tmp/relay.log" && ok "net: the VM's uid can attach to tap0 (TUNSETOWNER), as Firecracker will" || { notok "net: tap attach"; cat "$tmp/relay.log"; }
for _ in $(seq 20); do [ "$(get http://198.51.100.1:8080/marker.txt)" = 200 ] && break; sleep 0.2; done
[ "$(get http://198.51.100.1:8080/marker.txt)" = 200 ] && ok "net: the guest reaches the internet namespace (through NAT)" || notok "net: no route out"
[ "$(get http://10.99.0.1:8080/marker.txt)" != 200 ] && ok "net: the guest cannot reach a private address (10.99.0.1)" || notok "net: private address reachable"
[ "$(get http://169.254.169.254:8080/marker.txt)" != 200 ] && ok "net: the guest cannot reach the metadata address" || notok "net: metadata reachable"
[ "$(get http://198.51.100.2:8080/)" != 200 ] && [ "$(ip netns exec "$GUEST" ping -c1 -W1 198.51.100.2 > /dev/null 2>&1; echo $?)" != 0 ] &&
        ok "net: the guest cannot reach the host itself" || notok "net: host reachable"
[ "$(ip netns exec "$GUEST" ping -c1 -W1 172.31.0.1 > /dev/null 2>&1; echo $?)" != 0 ] && ok "net: nor the host's end of its link" || notok "net: link address reachable"
ip netns exec "$INET" /usr/bin/python3 -m http.server --bind 198.51.100.1 --directory "$tmp" 8081 > /dev/null 2>&1 &
sleep 0.5
[ "$(get http://198.51.100.1:8081/marker.txt)" = 200 ] && ok "net: any port on the internet side" || notok "net: port 8081"
# the per-VM deny list (198.51.100.99 is not owned by anyone: the rule must drop it before it leaves)
ip netns exec sis-n1 nft list set inet sis deny > "$tmp/nftdeny" 2>&1; grep -q "198.51.100.99" "$tmp/nftdeny" && ok "net: the per-VM deny list is in the VM's rules" || { notok "net: deny list"; cat "$tmp/nftdeny"; }
inth nft list table ip sis > /dev/null 2>&1 && ok "net: the host has its masquerade and isolation rules" || notok "net: host rules"

# --- teardown ------------------------------------------------------------------------------------
pkill -f "tap-relay.py tap0 gw0-$sfx"
inth "$bin" clean --run-dir "$tmp/run" --chroot-base "$tmp/jail" n1 > /dev/null 2>&1
sleep 0.3
[ ! -e /run/netns/sis-n1 ] && [ -z "$(inth ip -o link show 2> /dev/null | grep sisv)" ] && ! inth nft list table ip sis > /dev/null 2>&1 &&
        [ -z "$(ls "$tmp/run/leases/net" 2> /dev/null)" ] && ok "net: teardown leaves no namespace, veth, rule or lease" || notok "net: teardown"
inth "$bin" clean --run-dir "$tmp/run" --chroot-base "$tmp/jail" n1 > /dev/null 2>&1 && ok "net: teardown twice is fine" || notok "net: second clean"
[ -z "$(ip -o link show | grep -E 'sisv|tap0')" ] && ok "net: nothing was ever created in the real host's namespace" || notok "net: host namespace touched"
exit $status
