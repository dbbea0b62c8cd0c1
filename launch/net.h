/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * A network per VM, in a network namespace of its own (/run/netns/sis-<id>):
 *
 *   guest eth0 172.16.0.2/30 --virtio-- tap0 172.16.0.1/30   the same in every namespace: a
 *                                                             restored snapshot keeps working
 *                                       uplink0  pool /30 .2  masquerade: the guest leaves the
 *                                          | veth             namespace as uplink0's address
 *   host                          sisv<slot> pool /30 .1      masquerade out of the VM's uplink
 *
 * Slot n of the pool (default 172.31.0.0/16) is the n-th /30.
 *
 * nftables (libnftables) in the VM's namespace, table inet sis. The forward chain, in this order
 * (the reason a drop is counted and logged under in brackets):
 *   1. replies (established, related) from uplink0 back to tap0;
 *   2. the VM's --deny list: dropped [deny];
 *   3. the cloud metadata services: 169.254.169.254 (AWS, GCP, Azure, OpenStack), 169.254.170.2
 *      (ECS), 168.63.129.16 (Azure's WireServer), 100.100.100.200 (Alibaba): dropped [metadata];
 *   4. the "never" set, which no --allow opens (0.0.0.0/0 included): all of link-local
 *      169.254.0.0/16, the metadata addresses, 0/8, 127/8, multicast 224/4, reserved 240/4
 *      (255.255.255.255 in it): dropped [private];
 *   5. with --max-conns N, a new connection while N of the VM's are open: dropped [conncap] (one
 *      to a private address then counts as conncap, not private: the cap comes before --allow,
 *      so that allowed connections count too);
 *   6. the VM's --allow list: accepted;
 *   7. the "blocked" set (private, shared CGNAT, loopback, link-local, benchmarking, multicast,
 *      reserved): dropped [private];
 *   8. any other IPv4 from tap0 out of uplink0: accepted. IPv6 is never forwarded.
 * Deny wins over allow, and "never" over both. A drop goes through its reason's chain drop_<reason>:
 * the named counter <reason> (sis-launch metrics), then at most NET_LOG_RATE log lines to NFLOG
 * group NET_NFLOG_GROUP of the namespace (prefix: the reason), which the VM's monitor writes to its
 * denied log (sis-launch logs ID --denied). Nothing is addressed to the namespace itself (input:
 * loopback only). Nothing originates there either (output, policy drop): the VMM runs in the
 * namespace as the VM's uid and reaches the network only through tap0, whose frames are received
 * and forwarded (and so filtered as the guest's); the namespace sends only on loopback and the
 * ICMP errors (destination unreachable, time exceeded, parameter problem) that conntrack relates
 * to a forwarded connection, so path MTU discovery works. ARP is not inet's and unaffected; IPv6
 * is disabled in the namespace (RS, MLD, DAD would be dropped anyway).
 *
 * In the host's namespace, one table per VM, table ip sis-<id>: masquerade from its sisv<slot> out
 * of its uplink, and drops of what its veth sends to another sisv*, to anything but its uplink,
 * and to the host itself (input), through its chain drop_host: counter "host", NFLOG group
 * NET_NFLOG_HOST_BASE + slot of the host's namespace (slots below NET_NFLOG_HOST_SLOTS; a VM past
 * them is counted, not logged). The last one holds whatever --allow says: a VM never reaches an
 * address of the host, not even one inside an allowed range. The table is created with `create`
 * semantics (it fails when one by that name exists: an object that was there before is not ours)
 * and removed by net_down alone; one VM's uplink, failure or teardown never touches another's.
 *
 * The host end of the veth carries the alias "sis-launch:<id>" (ip link: alias); net_down deletes
 * a sisv* link only when that alias is the VM's. Removing the namespace removes the TAP, the veth
 * pair (both ends) and the namespace's rules at once.
 *
 * With --net-rate (launch/vmlimits.h), a token bucket filter (tc tbf, through libnl's qdisc API) is
 * the root qdisc of tap0 (traffic to the guest) and of uplink0 (traffic from it), both in the
 * namespace: the kernel holds the rate, whatever the VMM does.
 */
#include <stdbool.h>
#include <sys/types.h>

#include "vmlimits.h"

struct vm_net {
        unsigned slot;
        char id[65];                 /* the VM's id, [A-Za-z0-9-]{1,64} */
        char ns[80];                 /* "sis-<id>" */
        char ns_path[128];           /* "/run/netns/sis-<id>" */
        char table[80];              /* the host's "sis-<id>" (table ip) */
        char host_if[16];            /* "sisv<slot>" */
        char host_ip[16], vm_ip[16]; /* the veth /30 from the pool */
        char mac[18];
};

/* VM id's network namespace, pinned at "/run/netns/sis-<id>" (ip-netns's place). */
#define NET_NS_PATH_FMT "/run/netns/sis-%s"
char *net_ns_path(const char *id);

#define GUEST_IP "172.16.0.2"
#define TAP_IP "172.16.0.1"
#define GUEST_NETMASK "255.255.255.252"
#define NET_ALIAS_PREFIX "sis-launch:"
#define NET_NFLOG_GROUP 100       /* in each VM's namespace */
#define NET_NFLOG_HOST_BASE 32768 /* + slot, in the host's namespace */
#define NET_NFLOG_HOST_SLOTS 32768u
#define NET_LOG_RATE "10/second burst 20 packets"
/* The reasons a VM's packet is dropped, each with its counter and log prefix. */
#define NET_REASONS \
        { "metadata", "private", "host", "deny", "conncap" }

/* The host's NFLOG group for slot's denials, or -1 past NET_NFLOG_HOST_SLOTS. */
int net_host_log_group(unsigned slot);

/* The addresses of slot in pool ("172.31.0.0/16") for VM id; -ERANGE past its end, -EINVAL a bad
 * pool or id. */
int net_plan(const char *pool, unsigned slot, const char *id, struct vm_net *ret);
/* How many slots the pool has. */
int net_pool_slots(const char *pool, unsigned *ret);
/* An IPv4 CIDR as --allow/--deny take it (203.0.113.0/24). */
bool net_cidr_ok(const char *cidr);
/* The rule sets, as nft(8) text (what goes through libnftables). NULL for a bad CIDR in allow or
 * deny; the VM's does not depend on n (NULL is fine); max_conns 0: no connection cap. The host's: NULL for a bad id, a
 * host_if that is not sisv<N>, an uplink that is not an interface name (or is a sisv* or lo). */
char *net_ruleset_vm(const struct vm_net *n, char *const *allow, char *const *deny, unsigned max_conns);
char *net_ruleset_host(const char *id, const char *host_if, const char *uplink);
/* The interface of the default route (/proc/net/route), or NULL. */
char *net_default_uplink(void);
/* Build it all; the TAP belongs to uid:gid; lim (NULL: none) gives the rate and connection cap. -errno with *ret_error.
 * On failure it has removed exactly what it created (nothing that existed before: an existing namespace pin, veth or
 * host table is an error, never reused or deleted). Undo a success with net_down. */
int net_up(const struct vm_net *n, const char *uplink, uid_t uid, gid_t gid, char *const *allow, char *const *deny,
           const struct vm_limits *lim, char **ret_error);
/* Remove VM id's network: its host table ip sis-<id>, its namespace /run/netns/sis-<id> (and with
 * it the TAP, uplink0 and their rules), and the host end of its veth when the link's alias says
 * it is this VM's: sisv<slot> for a slot >= 0, else every link tagged "sis-launch:<id>" (clean
 * after a crash, from the id alone). Idempotent: what is gone already is fine; -EINVAL a bad id. */
int net_down(const char *id, int slot);
