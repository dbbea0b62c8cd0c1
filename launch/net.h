/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * A network per VM, in a network namespace of its own (/run/netns/sis-<id>):
 *
 *   guest eth0 172.16.0.2/30 --virtio-- tap0 172.16.0.1/30   the same in every namespace: a
 *                                                             restored snapshot keeps working
 *                                       uplink0  pool /30 .2  masquerade: the guest leaves the
 *                                          | veth             namespace as uplink0's address
 *   host                          sisv<slot> pool /30 .1      masquerade out of the uplink
 *
 * Slot n of the pool (default 172.31.0.0/16) is the n-th /30. nftables (libnftables), in the VM's
 * namespace: forwarding from tap0 only to uplink0, never to private, shared, loopback,
 * link-local (the metadata address), multicast or reserved space, with an optional per-VM allow
 * list (before the denials) and deny list; nothing addressed to the namespace itself. In the
 * host's: masquerade out of the uplink, no VM-to-VM forwarding, nothing from a VM to the host
 * itself. Removing the namespace removes the TAP, the veth pair and the VM's rules at once:
 * teardown is one step, and idempotent.
 */
#include <stdbool.h>
#include <sys/types.h>

struct vm_net {
        unsigned slot;
        char ns[80];            /* "sis-<id>" */
        char ns_path[128];      /* "/run/netns/sis-<id>" */
        char host_if[16];       /* "sisv<slot>" */
        char host_ip[16], vm_ip[16];    /* the veth /30 from the pool */
        char mac[18];
};

#define GUEST_IP "172.16.0.2"
#define TAP_IP "172.16.0.1"
#define GUEST_NETMASK "255.255.255.252"

/* The addresses of slot in pool ("172.31.0.0/16"); -ERANGE past its end, -EINVAL bad pool. */
int net_plan(const char *pool, unsigned slot, const char *id, struct vm_net *ret);
/* How many slots the pool has. */
int net_pool_slots(const char *pool, unsigned *ret);
/* The rule sets, as nft(8) text (what goes through libnftables). */
char *net_ruleset_vm(const struct vm_net *n, char *const *allow, char *const *deny);
char *net_ruleset_host(const char *uplink);
/* The interface of the default route (/proc/net/route), or NULL. */
char *net_default_uplink(void);
/* Build it all; the TAP belongs to uid:gid. -errno with *ret_error. Undo with net_down. */
int net_up(const struct vm_net *n, const char *uplink, uid_t uid, gid_t gid, char *const *allow, char *const *deny,
           char **ret_error);
/* Remove the host's shared rules (when the last VM with a network is gone). */
int net_host_rules_remove(void);
/* Remove the VM's namespace (and with it everything in it) and the host end of its veth.
 * Idempotent. */
int net_down(const char *ns_path, const char *host_if);
