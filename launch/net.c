/* SPDX-License-Identifier: MIT */
#include "net.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <nftables/libnftables.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "fc.h"
#include "fileio.h"
#include "util.h"

/* Never forwarded from a VM: this-network, private, shared (CGNAT), loopback, link-local (the
 * metadata address 169.254.169.254 among them), IETF protocol, benchmarking, multicast, reserved. */
static const char blocked[] = "0.0.0.0/8, 10.0.0.0/8, 100.64.0.0/10, 127.0.0.0/8, 169.254.0.0/16, 172.16.0.0/12, "
                              "192.0.0.0/24, 192.168.0.0/16, 198.18.0.0/15, 224.0.0.0/4, 240.0.0.0/4";

static int parse_cidr(const char *s, uint32_t *ret_addr, unsigned *ret_len) {
        char buf[32];
        const char *slash = strchr(s, '/');
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

int net_pool_slots(const char *pool, unsigned *ret) {
        uint32_t a;
        unsigned len;
        if (parse_cidr(pool, &a, &len) < 0 || len > 30)
                return -EINVAL;
        *ret = 1u << (30 - len);
        return 0;
}

int net_plan(const char *pool, unsigned slot, const char *id, struct vm_net *n) {
        uint32_t a, base;
        unsigned len, slots;

        if (parse_cidr(pool, &a, &len) < 0 || net_pool_slots(pool, &slots) < 0)
                return -EINVAL;
        if (slot >= slots)
                return -ERANGE;
        *n = (struct vm_net) { .slot = slot };
        base = (a & (len ? ~0u << (32 - len) : 0)) + slot * 4u;
        snprintf(n->ns, sizeof(n->ns), "sis-%s", id);
        snprintf(n->ns_path, sizeof(n->ns_path), "/run/netns/sis-%s", id);
        snprintf(n->host_if, sizeof(n->host_if), "sisv%u", slot);
        fmt_ip(base + 1, n->host_ip);
        fmt_ip(base + 2, n->vm_ip);
        fc_mac_for(GUEST_IP, n->mac);
        return 0;
}

static int list_ok(char *const *l) {
        uint32_t a;
        unsigned len;
        for (char *const *p = l; p && *p; p++)
                if (parse_cidr(*p, &a, &len) < 0)
                        return -EINVAL;
        return 0;
}

static void set_elements(struct sbuf *sb, const char *name, char *const *l) {
        sbuf_printf(sb, "\tset %s {\n\t\ttype ipv4_addr\n\t\tflags interval\n", name);
        if (l && *l) {
                sbuf_puts(sb, "\t\telements = { ");
                for (char *const *p = l; *p; p++)
                        sbuf_printf(sb, "%s%s", p == l ? "" : ", ", *p);
                sbuf_puts(sb, " }\n");
        }
        sbuf_puts(sb, "\t}\n");
}

char *net_ruleset_vm(const struct vm_net *n, char *const *allow, char *const *deny) {
        struct sbuf sb = {};

        if (list_ok(allow) < 0 || list_ok(deny) < 0)
                return NULL;
        sbuf_puts(&sb, "table inet sis\n");
        sbuf_puts(&sb, "delete table inet sis\n");
        sbuf_puts(&sb, "table inet sis {\n");
        sbuf_printf(&sb, "\tset blocked {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\telements = { %s }\n\t}\n", blocked);
        set_elements(&sb, "allow", allow);
        set_elements(&sb, "deny", deny);
        sbuf_puts(&sb, "\tchain forward {\n"
                       "\t\ttype filter hook forward priority filter; policy drop;\n"
                       "\t\tiifname \"uplink0\" oifname \"tap0\" ct state established,related accept\n"
                       "\t\tiifname \"tap0\" oifname \"uplink0\" ip daddr @allow accept\n"
                       "\t\tiifname \"tap0\" oifname \"uplink0\" ip daddr @deny drop\n"
                       "\t\tiifname \"tap0\" oifname \"uplink0\" ip daddr @blocked drop\n"
                       "\t\tiifname \"tap0\" oifname \"uplink0\" meta nfproto ipv4 accept\n"
                       "\t}\n"
                       "\tchain input {\n"
                       "\t\ttype filter hook input priority filter; policy drop;\n"
                       "\t\tiifname \"lo\" accept\n"
                       "\t\tct state established,related accept\n"
                       "\t}\n"
                       "}\n"
                       "table ip sisnat\n"
                       "delete table ip sisnat\n"
                       "table ip sisnat {\n"
                       "\tchain postrouting {\n"
                       "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
                       "\t\toifname \"uplink0\" ip saddr " GUEST_IP " masquerade\n"
                       "\t}\n"
                       "}\n");
        (void) n;
        return sbuf_steal(&sb);
}

char *net_ruleset_host(const char *uplink) {
        if (!uplink || !*uplink || strlen(uplink) >= IFNAMSIZ || strspn(uplink, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.@") != strlen(uplink))
                return NULL;
        return strdup_printf("table ip sis\n"
                             "delete table ip sis\n"
                             "table ip sis {\n"
                             "\tchain postrouting {\n"
                             "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
                             "\t\tiifname \"sisv*\" oifname \"%s\" masquerade\n"
                             "\t}\n"
                             "\tchain forward {\n"
                             "\t\ttype filter hook forward priority filter; policy accept;\n"
                             "\t\tiifname \"sisv*\" oifname \"sisv*\" drop\n"
                             "\t\tiifname \"sisv*\" oifname != \"%s\" drop\n"
                             "\t}\n"
                             "\tchain input {\n"
                             "\t\ttype filter hook input priority filter; policy accept;\n"
                             "\t\tiifname \"sisv*\" drop\n"
                             "\t}\n"
                             "}\n",
                             uplink, uplink);
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

struct inside {
        const struct vm_net *n;
        uid_t uid;
        gid_t gid;
        char *const *allow, *const *deny;
};

/* In a child that has joined the VM's namespace: loopback, the TAP, uplink0, routes, forwarding,
 * rules. The exit status says what failed (see below); stderr carries nftables' message. */
static int configure_inside(const struct inside *in) {
        struct nl_sock *s = route_socket();
        _cleanup_free_ char *tapc = strdup(TAP_IP "/30"), *vmc = strdup_printf("%s/30", in->n->vm_ip),
                            *rules = net_ruleset_vm(in->n, in->allow, in->deny), *err = NULL;

        if (!s || !tapc || !vmc || !rules)
                return 10;
        if (link_up(s, "lo", NULL) < 0)
                return 11;
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
        if (nft_apply(rules, &err) < 0) {
                fprintf(stderr, "%s\n", strna(err));
                return 17;
        }
        nl_socket_free(s);
        return 0;
}

static const char *inside_error(int code) {
        switch (code) {
        case 11: return "cannot bring up lo in the VM's namespace";
        case 12: return "cannot create tap0 (/dev/net/tun, TUNSETOWNER)";
        case 13: return "cannot configure tap0";
        case 14: return "cannot configure uplink0";
        case 15: return "cannot add the namespace's default route";
        case 16: return "cannot enable forwarding in the VM's namespace";
        case 17: return "nftables refused the VM's rules";
        default: return "cannot configure the VM's namespace";
        }
}

int net_host_rules_remove(void) {
        return nft_apply("table ip sis\ndelete table ip sis\n", NULL);
}

int net_down(const char *ns_path, const char *host_if) {
        struct nl_sock *s = host_if ? route_socket() : NULL;

        /* the host end first: the namespace may take a moment to die, and its slot is reused */
        if (s) {
                struct rtnl_link *l = NULL;
                if (rtnl_link_get_kernel(s, 0, host_if, &l) >= 0) {
                        (void) rtnl_link_delete(s, l);
                        rtnl_link_put(l);
                }
                nl_socket_free(s);
        }
        (void) umount2(ns_path, MNT_DETACH);
        if (unlink(ns_path) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

int net_up(const struct vm_net *n, const char *uplink, uid_t uid, gid_t gid, char *const *allow, char *const *deny,
           char **err) {
        _cleanup_free_ char *hostc = strdup_printf("%s/30", n->host_ip), *hrules = net_ruleset_host(uplink);
        _cleanup_close_ int nsfd = -1;
        struct nl_sock *s = NULL;
        struct rtnl_link *veth = NULL, *peer;
        int pipefd[2], status, k;
        pid_t pid;

        if (!hostc)
                return -ENOMEM;
        if (!hrules)
                return set_error(err, -EINVAL, "--uplink '%s': not an interface name", strna(uplink));
        if (list_ok(allow) < 0 || list_ok(deny) < 0)
                return set_error(err, -EINVAL, "--allow/--deny take IPv4 CIDRs (203.0.113.0/24)");
        /* the namespace: a child unshares one, and it is pinned by a bind mount, as ip-netns does */
        if (mkdir_parents("/run/netns", 0755) < 0)
                return set_error(err, -errno, "/run/netns: %s", strerror(errno));
        k = open(n->ns_path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
        if (k < 0)
                return set_error(err, -errno, "%s: %s", n->ns_path, errno == EEXIST ? "exists (sis-launch clean)" : strerror(errno));
        close(k);
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                char c = unshare(CLONE_NEWNET) < 0 ? 'x' : 'o';
                (void) !write(pipefd[1], &c, 1);
                close(pipefd[1]);
                pause(); /* until the parent has pinned the namespace */
                _exit(0);
        }
        close(pipefd[1]);
        {
                char c = 0;
                _cleanup_free_ char *src = strdup_printf("/proc/%d/ns/net", (int) pid);
                (void) !read(pipefd[0], &c, 1);
                close(pipefd[0]);
                k = c == 'o' && src ? mount(src, n->ns_path, NULL, MS_BIND, NULL) : -1;
                if (k < 0)
                        k = -errno ? -errno : -EIO;
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, &status, 0);
                if (k < 0) {
                        (void) net_down(n->ns_path, NULL);
                        return set_error(err, k, "cannot create the network namespace %s: %s", n->ns_path, strerror(-k));
                }
        }
        nsfd = open(n->ns_path, O_RDONLY | O_CLOEXEC);
        s = route_socket();
        if (nsfd < 0 || !s) {
                k = set_error(err, -EIO, "cannot open the namespace or a netlink socket");
                goto fail;
        }
        /* the veth pair: one end here, the other ("uplink0") created straight in the VM's namespace */
        veth = rtnl_link_veth_alloc();
        if (!veth) {
                k = -ENOMEM;
                goto fail;
        }
        rtnl_link_set_name(veth, n->host_if);
        peer = rtnl_link_veth_get_peer(veth);
        rtnl_link_set_name(peer, "uplink0");
        rtnl_link_set_ns_fd(peer, nsfd);
        rtnl_link_put(peer); /* get_peer took a reference */
        if (rtnl_link_add(s, veth, NLM_F_CREATE | NLM_F_EXCL) < 0) {
                k = set_error(err, -EIO, "cannot create the veth pair %s/uplink0", n->host_if);
                goto fail;
        }
        if (addr_add(s, n->host_if, hostc) < 0 || link_up(s, n->host_if, NULL) < 0) {
                k = set_error(err, -EIO, "cannot configure %s", n->host_if);
                goto fail;
        }
        /* inside the namespace */
        pid = fork();
        if (pid < 0) {
                k = -errno;
                goto fail;
        }
        if (pid == 0) {
                struct inside in = { .n = n, .uid = uid, .gid = gid, .allow = allow, .deny = deny };
                if (setns(nsfd, CLONE_NEWNET) < 0)
                        _exit(9);
                _exit(configure_inside(&in));
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR) {
                        k = -errno;
                        goto fail;
                }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                k = set_error(err, -EIO, "%s", inside_error(WIFEXITED(status) ? WEXITSTATUS(status) : 0));
                goto fail;
        }
        /* the host: forwarding, NAT out of the uplink, no VM to VM, no VM to the host */
        if (sysctl_write("/proc/sys/net/ipv4/ip_forward", "1") < 0) {
                k = set_error(err, -errno, "cannot enable IPv4 forwarding: %s", strerror(errno));
                goto fail;
        }
        k = nft_apply(hrules, err);
        if (k < 0)
                goto fail;
        rtnl_link_veth_release(veth); /* the link and its peer */
        nl_socket_free(s);
        return 0;
fail:
        if (veth)
                rtnl_link_veth_release(veth); /* the link and its peer */
        if (s)
                nl_socket_free(s);
        (void) net_down(n->ns_path, n->host_if);
        return k < 0 ? k : -EIO;
}
