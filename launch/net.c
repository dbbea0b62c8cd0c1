/* SPDX-License-Identifier: MIT */
/*
 * A VM's network (launch/net.h): its plan, its nftables rule sets, and net_up/net_down through
 * libnl and libnftables. One file: net_up's undo of each thing it made sits beside the code that
 * made it, and net_down must remove exactly the same set.
 */
#include "net.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/tbf.h>
#include <netlink/route/route.h>
#include <nftables/libnftables.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "fc.h"
#include "fileio.h"
#include "util.h"

/* Dropped from a VM unless --allow opens it: this-network, private, shared (CGNAT), loopback,
 * link-local, IETF protocol, benchmarking, multicast, reserved. */
static const char blocked[] =
        "0.0.0.0/8, 10.0.0.0/8, 100.64.0.0/10, 127.0.0.0/8, 169.254.0.0/16, 172.16.0.0/12, "
        "192.0.0.0/24, 192.168.0.0/16, 198.18.0.0/15, 224.0.0.0/4, 240.0.0.0/4";
/* Dropped from a VM whatever --allow says (it comes after --deny, before --allow): all of
 * link-local (AWS, GCP, Azure, OpenStack metadata at 169.254.169.254, ECS at 169.254.170.2),
 * Azure's WireServer, Alibaba's metadata, this-network, loopback, multicast, reserved (the
 * limited broadcast 255.255.255.255 is in 240.0.0.0/4: an interval set takes no overlaps). */
/* The cloud metadata services (AWS, GCP, Azure, OpenStack; ECS; Azure's WireServer; Alibaba): a
 * guest reaching for one is the first sign of a compromised session, so they count apart
 * (reason "metadata"); all of them are in the never set too. */
static const char metadata[] = "100.100.100.200/32, 168.63.129.16/32, 169.254.169.254/32, 169.254.170.2/32";
static const char never[] =
        "0.0.0.0/8, 100.100.100.200/32, 127.0.0.0/8, 168.63.129.16/32, 169.254.0.0/16, "
        "224.0.0.0/4, 240.0.0.0/4";

static int parse_cidr(const char *s, uint32_t *ret_addr, unsigned *ret_len) {
        char buf[32];
        const char *slash = s ? strchr(s, '/') : NULL;
        uint32_t len;
        struct in_addr a;

        if (!slash || (size_t) (slash - s) >= sizeof(buf) || strspn(s, "0123456789./") != strlen(s))
                return -EINVAL;
        memcpy(buf, s, (size_t) (slash - s));
        buf[slash - s] = '\0';
        if (inet_pton(AF_INET, buf, &a) != 1 || safe_atou32(slash + 1, &len) < 0 || len > 32)
                return -EINVAL;
        *ret_addr = ntohl(a.s_addr);
        *ret_len = len;
        return 0;
}

static void fmt_ip(uint32_t a, char out[16]) {
        struct in_addr x = { .s_addr = htonl(a) };
        inet_ntop(AF_INET, &x, out, 16);
}

static uint32_t prefix_mask(unsigned len) {
        return len ? ~0u << (32 - len) : 0;
}

bool net_cidr_ok(const char *cidr) {
        uint32_t a;
        unsigned len;
        return parse_cidr(cidr, &a, &len) == 0;
}

int net_pool_slots(const char *pool, unsigned *ret) {
        uint32_t a;
        unsigned len;
        if (parse_cidr(pool, &a, &len) < 0 || len > 30)
                return -EINVAL;
        *ret = 1u << (30 - len);
        return 0;
}

char *net_ns_path(const char *id) {
        return strdup_printf(NET_NS_PATH_FMT, id);
}

int net_plan(const char *pool, unsigned slot, const char *id, struct vm_net *n) {
        uint32_t a, base;
        unsigned len, slots;

        if (!vm_id_ok(id) || parse_cidr(pool, &a, &len) < 0 || net_pool_slots(pool, &slots) < 0)
                return -EINVAL;
        if (slot >= slots)
                return -ERANGE;
        *n = (struct vm_net) { .slot = slot };
        base = (a & prefix_mask(len)) + slot * 4u;
        snprintf(n->id, sizeof(n->id), "%s", id);
        snprintf(n->ns, sizeof(n->ns), "sis-%s", id);
        snprintf(n->ns_path, sizeof(n->ns_path), NET_NS_PATH_FMT, id);
        snprintf(n->table, sizeof(n->table), "sis-%s", id);
        snprintf(n->host_if, sizeof(n->host_if), "sisv%u", slot);
        fmt_ip(base + 1, n->host_ip);
        fmt_ip(base + 2, n->vm_ip);
        fc_mac_for(GUEST_IP, n->mac);
        return 0;
}

static int list_ok(char *const *l) {
        for (char *const *p = l; p && *p; p++)
                if (!net_cidr_ok(*p))
                        return -EINVAL;
        return 0;
}

/* A set of the VM's CIDRs, written back from their parsed form (network address, prefix): nothing
 * of the caller's text reaches nft. auto-merge: overlapping entries are fine. */
static void set_elements(struct sbuf *sb, const char *name, char *const *l) {
        sbuf_printf(sb, "\tset %s {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\tauto-merge\n", name);
        if (l && *l) {
                sbuf_puts(sb, "\t\telements = { ");
                for (char *const *p = l; *p; p++) {
                        uint32_t a = 0;
                        unsigned len = 0;
                        char ip[16];
                        (void) parse_cidr(*p, &a, &len);
                        fmt_ip(a & prefix_mask(len), ip);
                        sbuf_printf(sb, "%s%s/%u", p == l ? "" : ", ", ip, len);
                }
                sbuf_puts(sb, " }\n");
        }
        sbuf_puts(sb, "\t}\n");
}

/* What a denied packet goes through: its reason's counter (sis-launch metrics), a log line to NFLOG
 * (the monitor's denied log) at most NET_LOG_RATE per reason's chain, drop: a flood costs nothing
 * beyond the limits. */
static void drop_chain(struct sbuf *sb, const char *table_prefix, const char *reason, int group) {
        if (table_prefix) { /* the host's table, as separate commands */
                sbuf_printf(
                        sb,
                        "add counter %1$s %2$s\nadd chain %1$s drop_%2$s\nadd rule %1$s drop_%2$s counter name \"%2$s\"\n",
                        table_prefix, reason);
                if (group >= 0)
                        sbuf_printf(sb, "add rule %s drop_%s limit rate " NET_LOG_RATE " log prefix \"%s\" group %d\n",
                                    table_prefix, reason, reason, group);
                sbuf_printf(sb, "add rule %s drop_%s drop\n", table_prefix, reason);
                return;
        }
        sbuf_printf(sb, "\tcounter %s {\n\t}\n", reason);
        sbuf_printf(sb, "\tchain drop_%1$s {\n\t\tcounter name \"%1$s\"\n", reason);
        sbuf_printf(sb, "\t\tlimit rate " NET_LOG_RATE " log prefix \"%s\" group %d\n", reason, group);
        sbuf_puts(sb, "\t\tdrop\n\t}\n");
}

char *net_ruleset_vm(const struct vm_net *n, char *const *allow, char *const *deny, unsigned max_conns) {
        struct sbuf sb = {};

        if (list_ok(allow) < 0 || list_ok(deny) < 0)
                return NULL;
        /* a new namespace: nothing to replace */
        sbuf_puts(&sb, "table inet sis {\n");
        sbuf_printf(&sb, "\tset never {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = { %s }\n\t}\n", never);
        sbuf_printf(&sb, "\tset metadata {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = { %s }\n\t}\n",
                    metadata);
        sbuf_printf(&sb, "\tset blocked {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = { %s }\n\t}\n",
                    blocked);
        set_elements(&sb, "allow", allow);
        set_elements(&sb, "deny", deny);
        drop_chain(&sb, NULL, "deny", NET_NFLOG_GROUP);
        drop_chain(&sb, NULL, "metadata", NET_NFLOG_GROUP);
        drop_chain(&sb, NULL, "private", NET_NFLOG_GROUP);
        drop_chain(&sb, NULL, "conncap", NET_NFLOG_GROUP);
        sbuf_puts(&sb,
                  "\tchain forward {\n"
                  "\t\ttype filter hook forward priority filter; policy drop;\n"
                  "\t\tiifname \"uplink0\" oifname \"tap0\" ct state established,related accept\n"
                  "\t\tiifname \"tap0\" oifname \"uplink0\" ip daddr @deny goto drop_deny\n"
                  "\t\tiifname \"tap0\" oifname \"uplink0\" ip daddr @metadata goto drop_metadata\n"
                  "\t\tiifname \"tap0\" oifname \"uplink0\" ip daddr @never goto drop_private\n");
        /* every new connection out counts, allowed ones included; one that ends frees its place */
        if (max_conns)
                sbuf_printf(
                        &sb,
                        "\t\tiifname \"tap0\" oifname \"uplink0\" ct state new ct count over %u goto drop_conncap\n",
                        max_conns);
        sbuf_puts(
                &sb,
                "\t\tiifname \"tap0\" oifname \"uplink0\" ip daddr @allow accept\n"
                "\t\tiifname \"tap0\" oifname \"uplink0\" ip daddr @blocked goto drop_private\n"
                "\t\tiifname \"tap0\" oifname \"uplink0\" meta nfproto ipv4 accept\n"
                "\t}\n"
                "\tchain input {\n"
                "\t\ttype filter hook input priority filter; policy drop;\n"
                "\t\tiifname \"lo\" accept\n"
                "\t\tct state established,related accept\n"
                "\t}\n"
                /* the VMM is in this namespace: it must not talk from here, only through tap0 */
                "\tchain output {\n"
                "\t\ttype filter hook output priority filter; policy drop;\n"
                "\t\toifname \"lo\" accept\n"
                "\t\toifname { \"tap0\", \"uplink0\" } ct state related icmp type { destination-unreachable, time-exceeded, parameter-problem } accept\n"
                "\t}\n"
                "}\n"
                "table ip sisnat {\n"
                "\tchain postrouting {\n"
                "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
                "\t\toifname \"uplink0\" ip saddr " GUEST_IP
                " masquerade\n"
                "\t}\n"
                "}\n");
        (void) n;
        return sbuf_steal(&sb);
}

static bool ifname_ok(const char *s) {
        return s && *s && strlen(s) < IFNAMSIZ &&
                strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.@") == strlen(s);
}

/* sisv<N>, N a slot number */
static bool host_if_ok(const char *s) {
        return ifname_ok(s) && startswith(s, "sisv") && s[4] && strspn(s + 4, "0123456789") == strlen(s + 4);
}

int net_host_log_group(unsigned slot) {
        return slot < NET_NFLOG_HOST_SLOTS ? (int) (NET_NFLOG_HOST_BASE + slot) : -1;
}

char *net_ruleset_host(const char *id, const char *host_if, const char *uplink) {
        _cleanup_free_ char *prefix = NULL;
        struct sbuf sb = {};
        uint32_t slot;

        if (!vm_id_ok(id) || !host_if_ok(host_if) || !ifname_ok(uplink) || startswith(uplink, "sisv") ||
            streq(uplink, "lo") || safe_atou32(host_if + 4, &slot) < 0 || !(prefix = strdup_printf("ip sis-%s", id)))
                return NULL;
        /* create: the batch fails as a whole when the table exists (it is not ours to replace) */
        sbuf_printf(&sb, "create table ip sis-%1$s { comment \"" NET_ALIAS_PREFIX "%1$s\"; }\n", id);
        drop_chain(&sb, prefix, "host", net_host_log_group(slot));
        sbuf_printf(&sb,
                    "add chain ip sis-%1$s postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
                    "add rule ip sis-%1$s postrouting iifname \"%2$s\" oifname \"%3$s\" masquerade\n"
                    "add chain ip sis-%1$s forward { type filter hook forward priority filter; policy accept; }\n"
                    "add rule ip sis-%1$s forward iifname \"%2$s\" oifname \"sisv*\" goto drop_host\n"
                    "add rule ip sis-%1$s forward iifname \"%2$s\" oifname != \"%3$s\" goto drop_host\n"
                    "add chain ip sis-%1$s input { type filter hook input priority filter; policy accept; }\n"
                    "add rule ip sis-%1$s input iifname \"%2$s\" goto drop_host\n",
                    id, host_if, uplink);
        return sbuf_steal(&sb);
}

char *net_default_uplink(void) {
        _cleanup_free_ char *text = NULL;
        if (read_file_capped("/proc/net/route", 1 << 20, &text, NULL) < 0)
                return NULL;
        for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
                char ifn[IFNAMSIZ + 1];
                unsigned dst, gw, flags;
                if (sscanf(l, "%16s %x %x %x", ifn, &dst, &gw, &flags) == 4 && dst == 0 && (flags & 1))
                        return strdup(ifn);
        }
        return NULL;
}

/* --- doing it -------------------------------------------------------------------------------- */

static int nft_apply(const char *rules, char **err) {
        struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
        int r;

        if (!ctx)
                return set_error(err, -ENOMEM, "libnftables cannot start");
        nft_ctx_buffer_error(ctx);
        r = nft_run_cmd_from_buffer(ctx, rules);
        if (r != 0) {
                const char *e = nft_ctx_get_error_buffer(ctx);
                _cleanup_free_ char *one = strdup(e ? e : "");
                if (one)
                        one[strcspn(one, "\n")] = '\0';
                (void) set_error(err, -EIO, "nftables refused the rules: %s", one ? one : "?");
        }
        nft_ctx_free(ctx);
        return r == 0 ? 0 : -EIO;
}

static int sysctl_write(const char *path, const char *v) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, v, strlen(v)) != (ssize_t) strlen(v))
                return -errno;
        return 0;
}

static int link_up(struct nl_sock *s, const char *name, struct nl_cache *cache) {
        struct rtnl_link *l = NULL, *ch = rtnl_link_alloc();
        int k;

        if (!ch)
                return -ENOMEM;
        k = rtnl_link_get_kernel(s, 0, name, &l);
        if (k >= 0) {
                rtnl_link_set_flags(ch, IFF_UP);
                k = rtnl_link_change(s, l, ch, 0);
        }
        rtnl_link_put(l);
        rtnl_link_put(ch);
        (void) cache;
        return k < 0 ? -EIO : 0;
}

static int ifindex(struct nl_sock *s, const char *name) {
        struct rtnl_link *l = NULL;
        int i;
        if (rtnl_link_get_kernel(s, 0, name, &l) < 0)
                return -ENODEV;
        i = rtnl_link_get_ifindex(l);
        rtnl_link_put(l);
        return i;
}

static int addr_add(struct nl_sock *s, const char *ifname, const char *cidr) {
        struct rtnl_addr *a = rtnl_addr_alloc();
        struct nl_addr *local = NULL;
        int idx = ifindex(s, ifname), k;

        if (!a)
                return -ENOMEM;
        if (idx < 0 || nl_addr_parse(cidr, AF_INET, &local) < 0) {
                rtnl_addr_put(a);
                return -EINVAL;
        }
        rtnl_addr_set_ifindex(a, idx);
        rtnl_addr_set_local(a, local);
        k = rtnl_addr_add(s, a, 0);
        nl_addr_put(local);
        rtnl_addr_put(a);
        return k < 0 ? -EIO : 0;
}

static int route_add(struct nl_sock *s, const char *dst, const char *gw, const char *ifname) {
        struct rtnl_route *r = rtnl_route_alloc();
        struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
        struct nl_addr *d = NULL, *g = NULL;
        int idx = ifindex(s, ifname), k;

        if (!r || !nh || idx < 0 || nl_addr_parse(dst, AF_INET, &d) < 0 || nl_addr_parse(gw, AF_INET, &g) < 0) {
                rtnl_route_put(r);
                if (nh)
                        rtnl_route_nh_free(nh);
                nl_addr_put(d);
                nl_addr_put(g);
                return -EINVAL;
        }
        rtnl_route_set_family(r, AF_INET);
        rtnl_route_set_dst(r, d);
        rtnl_route_nh_set_gateway(nh, g);
        rtnl_route_nh_set_ifindex(nh, idx);
        rtnl_route_add_nexthop(r, nh);
        k = rtnl_route_add(s, r, NLM_F_CREATE);
        nl_addr_put(d);
        nl_addr_put(g);
        rtnl_route_put(r);
        return k < 0 ? -EIO : 0;
}

static struct nl_sock *route_socket(void) {
        struct nl_sock *s = nl_socket_alloc();
        if (s && nl_connect(s, NETLINK_ROUTE) < 0) {
                nl_socket_free(s);
                return NULL;
        }
        return s;
}

/* The TAP Firecracker will open: persistent, owned by the VM's uid/gid (the jailer drops to them
 * before Firecracker runs; an unowned TAP is EPERM there, and one made outside the namespace
 * is not found). */
static int tap_create(const char *name, uid_t uid, gid_t gid) {
        struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
        _cleanup_close_ int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
        if (ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETOWNER, (unsigned long) uid) < 0 ||
            ioctl(fd, TUNSETGROUP, (unsigned long) gid) < 0 || ioctl(fd, TUNSETPERSIST, 1UL) < 0)
                return -errno;
        return 0;
}

/* For a child of pid parent: SIGKILL when the parent dies (a SIGKILLed sis-launch leaves no
 * namespace holder or half-done configuration behind). The parent may have died before the
 * prctl: then the child is already another's. */
static int die_with_parent(pid_t parent) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
                return -errno;
        if (getppid() != parent)
                return -ESRCH;
        return 0;
}

struct inside {
        const struct vm_net *n;
        uid_t uid;
        gid_t gid;
        char *const *allow, *const *deny;
        const struct vm_limits *lim;
};

/* A token bucket as ifname's root qdisc (replacing the default): rate bytes a second, a bucket of
 * burst bytes, and queue bytes waiting beyond it (limits_net_queue: 50 ms of the rate, at most
 * 4 MiB of kernel memory whatever the guest sends). */
static int tbf_set(struct nl_sock *s, const char *ifname, uint64_t rate, uint64_t burst, uint64_t queue) {
        struct rtnl_qdisc *q = rtnl_qdisc_alloc();
        int idx = ifindex(s, ifname), k;

        if (!q)
                return -ENOMEM;
        if (idx < 0 || rate > INT32_MAX || burst + queue > INT32_MAX) {
                rtnl_qdisc_put(q);
                return -EINVAL;
        }
        rtnl_tc_set_ifindex(TC_CAST(q), idx);
        rtnl_tc_set_parent(TC_CAST(q), TC_H_ROOT);
        rtnl_tc_set_handle(TC_CAST(q), TC_HANDLE(1, 0));
        k = rtnl_tc_set_kind(TC_CAST(q), "tbf");
        if (k >= 0) {
                rtnl_qdisc_tbf_set_limit(q, (int) (burst + queue));
                rtnl_qdisc_tbf_set_rate(q, (int) rate, (int) burst, 0);
                k = rtnl_qdisc_add(s, q, NLM_F_CREATE | NLM_F_REPLACE);
        }
        rtnl_qdisc_put(q);
        return k < 0 ? -EIO : 0;
}

/* In a child that has joined the VM's namespace: loopback, no IPv6, the TAP, uplink0, routes,
 * forwarding, rules. The exit status says what failed (see below); stderr carries nftables'
 * message. */
static int configure_inside(const struct inside *in) {
        struct nl_sock *s = route_socket();
        _cleanup_free_ char *tapc = strdup(TAP_IP "/30"), *vmc = strdup_printf("%s/30", in->n->vm_ip),
                            *rules = net_ruleset_vm(in->n, in->allow, in->deny, in->lim ? in->lim->max_conns : 0),
                            *err = NULL;

        if (!s || !tapc || !vmc || !rules)
                return 10;
        if (link_up(s, "lo", NULL) < 0)
                return 11;
        /* never forwarded, never originated (the rules): no addresses either. A kernel without
         * IPv6 has no such files. */
        (void) sysctl_write("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
        (void) sysctl_write("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
        if (tap_create("tap0", in->uid, in->gid) < 0)
                return 12;
        if (addr_add(s, "tap0", tapc) < 0 || link_up(s, "tap0", NULL) < 0)
                return 13;
        if (addr_add(s, "uplink0", vmc) < 0 || link_up(s, "uplink0", NULL) < 0)
                return 14;
        if (route_add(s, "0.0.0.0/0", in->n->host_ip, "uplink0") < 0)
                return 15;
        if (sysctl_write("/proc/sys/net/ipv4/ip_forward", "1") < 0)
                return 16;
        /* --net-rate: to the guest on tap0, from it on uplink0 */
        if (in->lim && in->lim->net_mbit &&
            (tbf_set(s, "tap0", limits_net_bytes(in->lim), limits_net_burst(in->lim), limits_net_queue(in->lim)) < 0 ||
             tbf_set(s, "uplink0", limits_net_bytes(in->lim), limits_net_burst(in->lim), limits_net_queue(in->lim)) <
                     0))
                return 18;
        if (nft_apply(rules, &err) < 0) {
                fprintf(stderr, "%s\n", strna(err));
                return 17;
        }
        nl_socket_free(s);
        return 0;
}

static const char *inside_error(int code) {
        switch (code) {
        case 9: return "cannot join the VM's namespace";
        case 11: return "cannot bring up lo in the VM's namespace";
        case 12: return "cannot create tap0 (/dev/net/tun, TUNSETOWNER)";
        case 13: return "cannot configure tap0";
        case 14: return "cannot configure uplink0";
        case 15: return "cannot add the namespace's default route";
        case 16: return "cannot enable forwarding in the VM's namespace";
        case 17: return "nftables refused the VM's rules";
        case 18: return "cannot set the rate limit (tc tbf) on tap0 and uplink0";
        default: return "cannot configure the VM's namespace";
        }
}

static bool alias_is(struct rtnl_link *l, const char *alias) {
        const char *a = rtnl_link_get_ifalias(l);
        return a && streq(a, alias);
}

/* Delete host link name only when its alias is alias: a link that is not the VM's is never ours. */
static int link_delete_tagged(struct nl_sock *s, const char *name, const char *alias) {
        struct rtnl_link *l = NULL;
        int k = 0;

        if (rtnl_link_get_kernel(s, 0, name, &l) < 0)
                return 0; /* gone */
        if (alias_is(l, alias) && rtnl_link_delete(s, l) < 0)
                k = -EIO;
        rtnl_link_put(l);
        return k;
}

/* Delete every host link tagged alias (without the slot: clean after a crash). */
static int links_delete_tagged(struct nl_sock *s, const char *alias) {
        struct nl_cache *cache = NULL;
        int k = 0;

        if (rtnl_link_alloc_cache(s, AF_UNSPEC, &cache) < 0)
                return -EIO;
        for (struct nl_object *o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
                struct rtnl_link *l = (struct rtnl_link *) o;
                if (alias_is(l, alias) && rtnl_link_delete(s, l) < 0)
                        k = -EIO;
        }
        nl_cache_free(cache);
        return k;
}

/* The namespace's pin: a bind mount of a namespace on a file. */
static int ns_unpin(const char *ns_path) {
        /* root's own /run/netns; still, an unmount never follows a link */
        (void) umount2(ns_path, MNT_DETACH | UMOUNT_NOFOLLOW);
        if (unlink(ns_path) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

int net_down(const char *id, int slot) {
        _cleanup_free_ char *alias = NULL, *ns_path = NULL, *rules = NULL, *host_if = NULL;
        struct nl_sock *s;
        int r = 0, k;

        if (!vm_id_ok(id))
                return -EINVAL;
        alias = strdup_printf(NET_ALIAS_PREFIX "%s", id);
        host_if = slot >= 0 ? strdup_printf("sisv%d", slot) : strdup("");
        ns_path = net_ns_path(id);
        /* add, then delete, in one transaction: idempotent, and only this VM's table */
        rules = strdup_printf("add table ip sis-%1$s\ndelete table ip sis-%1$s\n", id);
        if (!alias || !ns_path || !rules || !host_if)
                return -ENOMEM;
        /* the host end first: the namespace may take a moment to die, and its slot is reused */
        s = route_socket();
        if (s) {
                k = *host_if ? link_delete_tagged(s, host_if, alias) : links_delete_tagged(s, alias);
                if (k < 0)
                        r = k;
                nl_socket_free(s);
        } else
                r = -EIO;
        k = nft_apply(rules, NULL);
        if (k < 0 && r == 0)
                r = k;
        k = ns_unpin(ns_path);
        if (k < 0 && r == 0)
                r = k;
        return r;
}

/* The host end of the veth, tagged with the VM's alias, its peer uplink0 created straight in the
 * namespace nsfd. *ret_created: the link exists and is ours (NLM_F_EXCL), even on a later error. */
static int veth_create(struct nl_sock *s, const struct vm_net *n, int nsfd, const char *alias, bool *ret_created,
                       char **err) {
        struct rtnl_link *veth = rtnl_link_veth_alloc(), *peer, *got = NULL;
        int k;

        *ret_created = false;
        if (!veth)
                return -ENOMEM;
        rtnl_link_set_name(veth, n->host_if);
        /* libnl puts IFLA_IFALIAS in the RTM_NEWLINK, but the kernel sets an alias only on an
         * existing link (do_setlink): checked, and set, below */
        rtnl_link_set_ifalias(veth, alias);
        peer = rtnl_link_veth_get_peer(veth);
        rtnl_link_set_name(peer, "uplink0");
        rtnl_link_set_ns_fd(peer, nsfd);
        rtnl_link_put(peer); /* get_peer took a reference */
        k = rtnl_link_add(s, veth, NLM_F_CREATE | NLM_F_EXCL);
        rtnl_link_veth_release(veth); /* the link and its peer */
        if (k < 0)
                return set_error(err, -EIO, "cannot create the veth pair %s/uplink0: %s", n->host_if,
                                 k == -NLE_EXIST ? "a link by that name exists (another VM's, or not sis's)"
                                                 : nl_geterror(k));
        *ret_created = true;
        if (rtnl_link_get_kernel(s, 0, n->host_if, &got) < 0)
                return set_error(err, -EIO, "%s vanished after its creation", n->host_if);
        if (!alias_is(got, alias)) {
                struct rtnl_link *ch = rtnl_link_alloc();
                k = ch ? 0 : -NLE_NOMEM;
                if (ch) {
                        rtnl_link_set_ifalias(ch, alias);
                        k = rtnl_link_change(s, got, ch, 0);
                        rtnl_link_put(ch);
                }
        }
        rtnl_link_put(got);
        return k < 0 ? set_error(err, -EIO, "cannot tag %s with its alias %s: %s", n->host_if, alias, nl_geterror(k))
                     : 0;
}

/* Delete a link this process created (by name: nothing else can hold the name meanwhile). */
static void link_delete_ours(struct nl_sock *s, const char *name) {
        struct rtnl_link *l = NULL;
        if (rtnl_link_get_kernel(s, 0, name, &l) >= 0) {
                (void) rtnl_link_delete(s, l);
                rtnl_link_put(l);
        }
}

int net_up(const struct vm_net *n, const char *uplink, uid_t uid, gid_t gid, char *const *allow, char *const *deny,
           const struct vm_limits *lim, char **err) {
        _cleanup_free_ char *hostc = strdup_printf("%s/30", n->host_ip),
                            *alias = strdup_printf(NET_ALIAS_PREFIX "%s", n->id), *hrules = NULL;
        _cleanup_close_ int nsfd = -1;
        struct nl_sock *s = NULL;
        bool veth = false;
        pid_t parent = getpid(), pid;
        int pipefd[2], status, k;

        if (!hostc || !alias)
                return -ENOMEM;
        if (!vm_id_ok(n->id) || !host_if_ok(n->host_if))
                return set_error(err, -EINVAL, "the VM's network was not planned (net_plan)");
        hrules = net_ruleset_host(n->id, n->host_if, uplink);
        if (!hrules)
                return set_error(err, -EINVAL, "--uplink '%s': not an interface name for a VM's traffic",
                                 strna(uplink));
        if (list_ok(allow) < 0 || list_ok(deny) < 0)
                return set_error(err, -EINVAL, "--allow/--deny take IPv4 CIDRs (203.0.113.0/24)");
        /* the namespace: a child unshares one, and it is pinned by a bind mount, as ip-netns does.
         * The pin is created here (O_EXCL): from now on it is ours to remove on failure. */
        if (mkdir_parents("/run/netns", 0755) < 0)
                return set_error(err, -errno, "/run/netns: %s", strerror(errno));
        k = open(n->ns_path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
        if (k < 0)
                return set_error(err, -errno, "%s: %s", n->ns_path,
                                 errno == EEXIST ? "exists (sis-launch clean)" : strerror(errno));
        close(k);
        if (pipe2(pipefd, O_CLOEXEC) < 0) {
                k = set_error(err, -errno, "pipe: %s", strerror(errno));
                goto fail;
        }
        pid = fork();
        if (pid < 0) {
                k = set_error(err, -errno, "fork: %s", strerror(errno));
                close(pipefd[0]);
                close(pipefd[1]);
                goto fail;
        }
        if (pid == 0) {
                char c = die_with_parent(parent) == 0 && unshare(CLONE_NEWNET) == 0 ? 'o' : 'x';
                (void) !write(pipefd[1], &c, 1);
                close(pipefd[1]);
                if (c == 'o')
                        pause(); /* until the parent has pinned the namespace, or dies */
                _exit(0);
        }
        close(pipefd[1]);
        {
                char c = 0;
                _cleanup_free_ char *src = strdup_printf("/proc/%d/ns/net", (int) pid);
                (void) !read(pipefd[0], &c, 1);
                close(pipefd[0]);
                errno = EIO;
                k = c == 'o' && src ? mount(src, n->ns_path, NULL, MS_BIND, NULL) : -1;
                if (k < 0)
                        k = -errno;
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, &status, 0);
                if (k < 0) {
                        k = set_error(err, k, "cannot create the network namespace %s: %s", n->ns_path, strerror(-k));
                        goto fail;
                }
        }
        nsfd = open(n->ns_path, O_RDONLY | O_CLOEXEC);
        s = route_socket();
        if (nsfd < 0 || !s) {
                k = set_error(err, -EIO, "cannot open the namespace or a netlink socket");
                goto fail;
        }
        /* the veth pair: one end here (ours once created: NLM_F_EXCL), "uplink0" in the namespace */
        k = veth_create(s, n, nsfd, alias, &veth, err);
        if (k < 0)
                goto fail;
        if (addr_add(s, n->host_if, hostc) < 0 || link_up(s, n->host_if, NULL) < 0) {
                k = set_error(err, -EIO, "cannot configure %s", n->host_if);
                goto fail;
        }
        /* inside the namespace */
        pid = fork();
        if (pid < 0) {
                k = set_error(err, -errno, "fork: %s", strerror(errno));
                goto fail;
        }
        if (pid == 0) {
                struct inside in = { .n = n, .uid = uid, .gid = gid, .allow = allow, .deny = deny, .lim = lim };
                if (die_with_parent(parent) < 0 || setns(nsfd, CLONE_NEWNET) < 0)
                        _exit(9);
                _exit(configure_inside(&in));
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR) {
                        k = set_error(err, -errno, "waitpid: %s", strerror(errno));
                        goto fail;
                }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                k = set_error(err, -EIO, "%s", inside_error(WIFEXITED(status) ? WEXITSTATUS(status) : 0));
                goto fail;
        }
        /* the host: forwarding, and the VM's own table (NAT out of its uplink, no VM to VM, no VM
         * to the host). Last: a failure to create it leaves nothing of it to undo. */
        if (sysctl_write("/proc/sys/net/ipv4/ip_forward", "1") < 0) {
                k = set_error(err, -errno, "cannot enable IPv4 forwarding: %s", strerror(errno));
                goto fail;
        }
        {
                _cleanup_free_ char *e = NULL;
                k = nft_apply(hrules, &e);
                if (k < 0) {
                        k = set_error(err, k, "the host's table ip %s: %s", n->table, strna(e));
                        goto fail;
                }
        }
        nl_socket_free(s);
        return 0;
fail:
        /* only what this call created: the veth (NLM_F_EXCL), the pin (O_EXCL) and the namespace
         * on it */
        if (veth && s)
                link_delete_ours(s, n->host_if);
        if (s)
                nl_socket_free(s);
        (void) ns_unpin(n->ns_path);
        return k < 0 ? k : -EIO;
}
