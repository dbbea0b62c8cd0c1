/* SPDX-License-Identifier: MIT */
/* The VM's network: plans, the rule sets as text (order: deny, never, allow, blocked; the never
 * set; the namespace's output chain; one host table per VM; what is refused), and, as root, the
 * real thing in private namespaces (a private network and mount namespace, /run on a tmpfs there:
 * nothing of the machine's is touched): rule sets nftables takes, nothing originates in a VM's
 * namespace, the host table is created never replaced, undo removes only what it created, and
 * net_down by id removes only that VM's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/tbf.h>
#include <linux/if.h>
#include <nftables/libnftables.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "net.h"

static char *vm(char **allow, char **deny) {
        char *r = net_ruleset_vm(NULL, allow, deny, 0);
        assert_non_null(r);
        return r;
}

/* Where s occurs in text, which must hold it exactly once. */
static size_t at_once(const char *text, const char *s) {
        const char *p = strstr(text, s);
        if (!p || strstr(p + 1, s))
                fail_msg("'%s' is not in the rules exactly once:\n%s", s, text);
        return (size_t) (p - text);
}

/* The body of "set NAME { ... }" or "chain NAME { ... }" (up to its closing brace). */
static char *block(const char *text, const char *kind, const char *name) {
        _cleanup_free_ char *head = strdup_printf("\t%s %s {\n", kind, name);
        const char *p = strstr(text, head), *e;
        if (!p)
                fail_msg("no %s %s in:\n%s", kind, name, text);
        p += strlen(head);
        e = strstr(p, "\n\t}\n");
        assert_non_null(e);
        return strndup(p, (size_t) (e - p + 1));
}

static void test_plan(void **state) {
        struct vm_net n;
        unsigned slots;

        assert_int_equal(net_plan("172.31.0.0/16", 3, "n1", &n), 0);
        assert_string_equal(n.id, "n1");
        assert_string_equal(n.ns, "sis-n1");
        assert_string_equal(n.ns_path, "/run/netns/sis-n1");
        assert_string_equal(n.table, "sis-n1");
        assert_string_equal(n.host_if, "sisv3");
        assert_string_equal(n.host_ip, "172.31.0.13");
        assert_string_equal(n.vm_ip, "172.31.0.14");
        assert_int_equal(net_pool_slots("172.31.0.0/24", &slots), 0);
        assert_int_equal(slots, 64);
        assert_int_equal(net_plan("172.31.0.0/24", 64, "n1", &n), -ERANGE);
        assert_int_equal(net_plan("172.31.0.0/31", 0, "n1", &n), -EINVAL);
        assert_int_equal(net_plan("172.31.0.0/24", 0, "n_1", &n), -EINVAL);
        assert_int_equal(net_plan("172.31.0.0/24", 0, "", &n), -EINVAL);
        assert_int_equal(net_plan("172.31.0.0/24", 0, "a\"; flush ruleset", &n), -EINVAL);
        {
                char longid[66];
                memset(longid, 'a', 65);
                longid[65] = '\0';
                assert_int_equal(net_plan("172.31.0.0/24", 0, longid, &n), -EINVAL);
                longid[64] = '\0';
                assert_int_equal(net_plan("172.31.0.0/24", 0, longid, &n), 0);
                assert_string_equal(n.id, longid);
        }
}

/* established back to tap0, then deny, never, allow, blocked, the rest of IPv4: deny wins */
static void test_forward_order(void **state) {
        char *allow[] = { (char *) "169.254.0.0/16", NULL }, *deny[] = { (char *) "169.254.169.254/32", NULL };
        _cleanup_free_ char *r = vm(allow, deny), *fwd = block(r, "chain", "forward");
        size_t est = at_once(fwd, "iifname \"uplink0\" oifname \"tap0\" ct state established,related accept"),
               d = at_once(fwd, "ip daddr @deny goto drop_deny"),
               md = at_once(fwd, "ip daddr @metadata goto drop_metadata"),
               nv = at_once(fwd, "ip daddr @never goto drop_private"), a = at_once(fwd, "ip daddr @allow accept"),
               b = at_once(fwd, "ip daddr @blocked goto drop_private"),
               rest = at_once(fwd, "iifname \"tap0\" oifname \"uplink0\" meta nfproto ipv4 accept");

        assert_true(est < d && d < md && md < nv && nv < a && a < b && b < rest);
        /* no connection cap unless asked for */
        assert_null(strstr(fwd, "ct count"));
        at_once(fwd, "policy drop;");
        /* nothing else is accepted: IPv6 never */
        assert_null(strstr(fwd, "ip6"));
        assert_null(strstr(fwd, "nfproto ipv6"));
}

static void test_never_set(void **state) {
        static const char *const never[] = { "0.0.0.0/8",      "100.100.100.200/32", "127.0.0.0/8", "168.63.129.16/32",
                                             "169.254.0.0/16", "224.0.0.0/4",        "240.0.0.0/4" };
        char *everything[] = { (char *) "0.0.0.0/0", NULL };
        _cleanup_free_ char *r = vm(everything, NULL), *nv = block(r, "set", "never"), *al = block(r, "set", "allow"),
                            *fwd = block(r, "chain", "forward");

        for (size_t i = 0; i < ELEMENTSOF(never); i++)
                if (!strstr(nv, never[i]))
                        fail_msg("%s is not in the never set:\n%s", never[i], nv);
        /* --allow 0.0.0.0/0 is in the allow set, and the never set comes before it */
        assert_non_null(strstr(al, "elements = { 0.0.0.0/0 }"));
        assert_true(at_once(fwd, "@never goto drop_private") < at_once(fwd, "@allow accept"));
        /* --allow cannot reach into the never set (it is not an allow-able set) */
        assert_null(strstr(nv, "auto-merge"));
}

/* each reason: a counter, a chain that counts, logs (bounded) to the namespace's NFLOG group, drops;
 * --max-conns: new connections past N, before anything is accepted */
static void test_reasons(void **state) {
        static const char *const reasons[] = { "deny", "metadata", "private", "conncap" };
        _cleanup_free_ char *r = net_ruleset_vm(NULL, NULL, NULL, 20), *fwd = NULL, *md = NULL;

        assert_non_null(r);
        fwd = block(r, "chain", "forward");
        for (size_t i = 0; i < ELEMENTSOF(reasons); i++) {
                char name[32];
                snprintf(name, sizeof(name), "drop_%s", reasons[i]);
                _cleanup_free_ char *ch = block(r, "chain", name),
                                    *want_cnt = strdup_printf("\t\tcounter name \"%s\"\n", reasons[i]),
                                    *want_log = strdup_printf(
                                            "\t\tlimit rate 10/second burst 20 packets log prefix \"%s\" group 100\n",
                                            reasons[i]),
                                    *want_counter = strdup_printf("\tcounter %s {\n\t}\n", reasons[i]);
                size_t cnt = at_once(ch, want_cnt), log = at_once(ch, want_log), drop = at_once(ch, "\t\tdrop\n");
                assert_true(cnt < log && log < drop);
                at_once(r, want_counter);
        }
        {
                size_t nv = at_once(fwd, "ip daddr @never goto drop_private"),
                       cap = at_once(
                               fwd,
                               "iifname \"tap0\" oifname \"uplink0\" ct state new ct count over 20 goto drop_conncap"),
                       a = at_once(fwd, "ip daddr @allow accept");
                assert_true(nv < cap && cap < a);
        }
        /* the metadata services, apart from the rest of the never set (which holds them too) */
        md = block(r, "set", "metadata");
        at_once(md, "elements = { 100.100.100.200/32, 168.63.129.16/32, 169.254.169.254/32, 169.254.170.2/32 }");
}

/* the namespace originates nothing but loopback and ICMP errors of forwarded connections */
static void test_output_chain(void **state) {
        _cleanup_free_ char *r = vm(NULL, NULL), *out = block(r, "chain", "output"), *in = block(r, "chain", "input");
        size_t lines = 0;

        at_once(out, "type filter hook output priority filter; policy drop;");
        at_once(out, "oifname \"lo\" accept");
        at_once(out,
                "oifname { \"tap0\", \"uplink0\" } ct state related icmp type { destination-unreachable, time-exceeded, "
                "parameter-problem } accept");
        for (const char *p = out; *p; p++)
                lines += *p == '\n';
        assert_int_equal(lines, 3);
        at_once(in, "type filter hook input priority filter; policy drop;");
}

static void test_lists(void **state) {
        static const char *const bad[] = {
                "10.0.0.0",    "10.0.0.0/33", "10.0.0.0/8 ",  "::/0", "",          "10.0.0.0/8/8",     "1.2.3/8",
                "256.0.0.0/8", "10.0.0.0/-1", "10.0.0.0/8\"", "/8",   "10.0.0.0/", "10.0.0.0/8; flush"
        };
        char *host_bits[] = { (char *) "10.1.2.3/8", (char *) "203.0.113.7/32", (char *) "10.0.0.0/8", NULL };
        _cleanup_free_ char *r = vm(host_bits, NULL), *al = block(r, "set", "allow"), *dn = block(r, "set", "deny");

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char *one[] = { (char *) bad[i], NULL };
                if (net_cidr_ok(bad[i]))
                        fail_msg("'%s' taken for a CIDR", bad[i]);
                assert_null(net_ruleset_vm(NULL, one, NULL, 0));
                assert_null(net_ruleset_vm(NULL, NULL, one, 0));
        }
        assert_true(net_cidr_ok("0.0.0.0/0"));
        /* written back from their parsed form: network addresses, overlaps merged by nft */
        assert_non_null(strstr(al, "elements = { 10.0.0.0/8, 203.0.113.7/32, 10.0.0.0/8 }"));
        assert_non_null(strstr(al, "auto-merge"));
        assert_null(strstr(dn, "elements"));
}

static void test_host_rules(void **state) {
        _cleanup_free_ char *h1 = net_ruleset_host("n1", "sisv0", "eth0"),
                            *h2 = net_ruleset_host("n-2", "sisv17", "wlan0@x");

        assert_non_null(h1);
        assert_non_null(h2);
        /* created, never replaced; every line this VM's table, this VM's veth */
        assert_true(startswith(h1, "create table ip sis-n1 { comment \"sis-launch:n1\"; }\n"));
        assert_null(strstr(h1, "delete"));
        assert_null(strstr(h1, "flush"));
        for (const char *l = h1; *l; l = strchr(l, '\n') + 1) {
                if (!startswith(l, "create table ip sis-n1 ") && !startswith(l, "add chain ip sis-n1 ") &&
                    !startswith(l, "add rule ip sis-n1 ") && !startswith(l, "add counter ip sis-n1 "))
                        fail_msg("a line not in table sis-n1: %s", l);
        }
        at_once(h1, "add rule ip sis-n1 postrouting iifname \"sisv0\" oifname \"eth0\" masquerade\n");
        at_once(h1, "add rule ip sis-n1 forward iifname \"sisv0\" oifname \"sisv*\" goto drop_host\n");
        at_once(h1, "add rule ip sis-n1 forward iifname \"sisv0\" oifname != \"eth0\" goto drop_host\n");
        at_once(h1, "add rule ip sis-n1 input iifname \"sisv0\" goto drop_host\n");
        /* a drop is counted, logged at a bounded rate to the slot's NFLOG group, dropped */
        {
                size_t c = at_once(h1, "add counter ip sis-n1 host\n"),
                       ch = at_once(h1, "add chain ip sis-n1 drop_host\n"),
                       cnt = at_once(h1, "add rule ip sis-n1 drop_host counter name \"host\"\n"),
                       log = at_once(
                               h1,
                               "add rule ip sis-n1 drop_host limit rate 10/second burst 20 packets log prefix \"host\" "
                               "group 32768\n"),
                       drop = at_once(h1, "add rule ip sis-n1 drop_host drop\n");
                assert_true(c < ch && ch < cnt && cnt < log && log < drop);
                at_once(h2, "log prefix \"host\" group 32785\n");
                assert_int_equal(net_host_log_group(0), 32768);
                assert_int_equal(net_host_log_group(32767), 65535);
                assert_int_equal(net_host_log_group(32768), -1);
        }
        at_once(h1, "type nat hook postrouting priority srcnat; policy accept;");
        /* no wildcard on the VM's own side: another VM's traffic is not this table's */
        assert_null(strstr(h1, "iifname \"sisv*\""));
        /* two VMs: two tables that do not mention each other */
        assert_null(strstr(h1, "sis-n-2"));
        assert_null(strstr(h1, "sisv17"));
        assert_null(strstr(h2, "sis-n1 "));
        at_once(h2, "add rule ip sis-n-2 postrouting iifname \"sisv17\" oifname \"wlan0@x\" masquerade\n");

        /* refused: bad ids, a host end that is not sisv<N>, an uplink that is not one */
        assert_null(net_ruleset_host("n_1", "sisv0", "eth0"));
        assert_null(net_ruleset_host("", "sisv0", "eth0"));
        assert_null(net_ruleset_host(NULL, "sisv0", "eth0"));
        assert_null(net_ruleset_host("n1\" { }", "sisv0", "eth0"));
        assert_null(net_ruleset_host("n1", "eth0", "eth0"));
        assert_null(net_ruleset_host("n1", "sisv", "eth0"));
        assert_null(net_ruleset_host("n1", "sisvx", "eth0"));
        assert_null(net_ruleset_host("n1", "sisv*", "eth0"));
        assert_null(net_ruleset_host("n1", NULL, "eth0"));
        assert_null(net_ruleset_host("n1", "sisv0", NULL));
        assert_null(net_ruleset_host("n1", "sisv0", ""));
        assert_null(net_ruleset_host("n1", "sisv0", "eth*"));
        assert_null(net_ruleset_host("n1", "sisv0", "eth0\" drop"));
        assert_null(net_ruleset_host("n1", "sisv0", "a b"));
        assert_null(net_ruleset_host("n1", "sisv0", "abcdefghijklmnop"));
        assert_null(net_ruleset_host("n1", "sisv0", "sisv1"));
        assert_null(net_ruleset_host("n1", "sisv0", "lo"));
}

/* --- as root, in private namespaces ------------------------------------------------------------ */

static int nft_run(const char *cmd, char **out) {
        struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
        int r;
        if (!ctx)
                return -1;
        nft_ctx_buffer_output(ctx);
        nft_ctx_buffer_error(ctx);
        r = nft_run_cmd_from_buffer(ctx, cmd);
        if (out)
                *out = strdup(strempty(nft_ctx_get_output_buffer(ctx)));
        nft_ctx_free(ctx);
        return r;
}

static bool table_exists(const char *family_name) {
        _cleanup_free_ char *cmd = strdup_printf("list table %s\n", family_name);
        return nft_run(cmd, NULL) == 0;
}

/* The alias of link name in this namespace: "" none, NULL no such link. */
static char *alias_of(const char *name) {
        struct nl_sock *s = nl_socket_alloc();
        struct rtnl_link *l = NULL;
        char *r = NULL;
        if (s && nl_connect(s, NETLINK_ROUTE) == 0 && rtnl_link_get_kernel(s, 0, name, &l) >= 0) {
                r = strdup(strempty(rtnl_link_get_ifalias(l)));
                rtnl_link_put(l);
        }
        nl_socket_free(s);
        return r;
}

static bool alias_is(const char *name, const char *want) {
        _cleanup_free_ char *a = alias_of(name);
        return a && streq(a, want);
}

static int plain_veth(const char *name, const char *peer) {
        struct nl_sock *s = nl_socket_alloc();
        int k = s && nl_connect(s, NETLINK_ROUTE) == 0 ? rtnl_link_veth_add(s, name, peer, getpid()) : -1;
        nl_socket_free(s);
        return k;
}

/* Run fn in VM id's namespace (through its pin), back in ours after. */
static int in_vm_ns(const char *id, int (*fn)(void)) {
        _cleanup_free_ char *pin = strdup_printf("/run/netns/sis-%s", id);
        _cleanup_close_ int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC),
                            fd = open(pin, O_RDONLY | O_CLOEXEC);
        int r;
        if (self < 0 || fd < 0 || setns(fd, CLONE_NEWNET) < 0)
                return -1;
        r = fn();
        if (setns(self, CLONE_NEWNET) < 0)
                abort();
        return r;
}

/* In n1's namespace: its limits (10 Mbit/s, 20 connections): a tbf of 1,250,000 bytes a second as
 * the root qdisc of tap0 and of uplink0, and the cap in the forward chain. */
static int vm_ns_limits(void) {
        _cleanup_free_ char *out = NULL;
        struct nl_sock *s = nl_socket_alloc();
        struct nl_cache *links = NULL, *qdiscs = NULL;
        int found = 0;

        if (nft_run("list chain inet sis forward\n", &out) != 0 || !strstr(out, "ct count over 20"))
                return 1;
        if (!s || nl_connect(s, NETLINK_ROUTE) < 0 || rtnl_link_alloc_cache(s, AF_UNSPEC, &links) < 0 ||
            rtnl_qdisc_alloc_cache(s, &qdiscs) < 0)
                return 2;
        for (struct nl_object *o = nl_cache_get_first(qdiscs); o; o = nl_cache_get_next(o)) {
                struct rtnl_qdisc *q = (struct rtnl_qdisc *) o;
                char name[IFNAMSIZ] = "";
                const char *kind = rtnl_tc_get_kind(TC_CAST(q));
                rtnl_link_i2name(links, rtnl_tc_get_ifindex(TC_CAST(q)), name, sizeof(name));
                if (kind && streq(kind, "tbf") && rtnl_tc_get_parent(TC_CAST(q)) == TC_H_ROOT &&
                    (streq(name, "tap0") || streq(name, "uplink0")) && rtnl_qdisc_tbf_get_rate(q) == 1250000)
                        found++;
        }
        nl_cache_free(qdiscs);
        nl_cache_free(links);
        nl_socket_free(s);
        return found == 2 ? 0 : 3;
}

/* In a VM's namespace: the VM's tables, and nothing leaves from here (the VMM's own traffic). */
static int vm_ns_checks(void) {
        _cleanup_free_ char *out = NULL;
        struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(80) };
        int fd, r = 0;

        if (nft_run("list table inet sis\n", &out) != 0 || !strstr(out, "hook output priority filter; policy drop;") ||
            !strstr(out, "168.63.129.16") || !table_exists("ip sisnat"))
                return 1;
        /* the metadata address, and an address out there: the output chain refuses the packet */
        for (int i = 0; i < 2 && r == 0; i++) {
                inet_pton(AF_INET, i == 0 ? "169.254.169.254" : "198.51.100.1", &to.sin_addr);
                fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                if (fd < 0)
                        return 2;
                if (sendto(fd, "x", 1, 0, (struct sockaddr *) &to, sizeof(to)) >= 0 || errno != EPERM)
                        r = 3 + i;
                close(fd);
        }
        /* loopback works */
        {
                struct sockaddr_in lo = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
                socklen_t len = sizeof(lo);
                int rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0),
                    tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                char c = 0;
                if (rx < 0 || tx < 0 || bind(rx, (struct sockaddr *) &lo, sizeof(lo)) < 0 ||
                    getsockname(rx, (struct sockaddr *) &lo, &len) < 0 ||
                    sendto(tx, "y", 1, 0, (struct sockaddr *) &lo, sizeof(lo)) != 1 || recv(rx, &c, 1, 0) != 1 ||
                    c != 'y')
                        r = r ? r : 5;
                close(rx);
                close(tx);
        }
        return r;
}

#define CHECK(step, cond) \
        do { \
                if (!(cond)) { \
                        fprintf(stderr, "step %d: %s (err: %s)\n", step, #cond, strna(err)); \
                        return step; \
                } \
        } while (0)

static int live(void) {
        struct vm_net n1, n2, n3, other;
        _cleanup_free_ char *err = NULL;
        char *deny[] = { (char *) "198.51.100.99/32", NULL };
        struct vm_limits lim = { .net_mbit = 10, .max_conns = 20 };
        int k;

        /* private: nothing propagates to the machine's mounts, /run is ours */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("sis-test", "/run", "tmpfs", 0, "mode=0755") < 0)
                return 100;
        CHECK(1,
              net_plan("172.31.0.0/24", 0, "n1", &n1) == 0 && net_plan("172.31.0.0/24", 1, "n2", &n2) == 0 &&
                      net_plan("172.31.0.0/24", 2, "n3", &n3) == 0 &&
                      net_plan("172.31.0.0/24", 0, "other", &other) == 0);
        k = net_up(&n1, "up9", 20100, 20100, NULL, deny, &lim, &err);
        CHECK(2, k == 0);
        CHECK(3, table_exists("ip sis-n1") && alias_is("sisv0", "sis-launch:n1") && access(n1.ns_path, F_OK) == 0);
        CHECK(4, in_vm_ns("n1", vm_ns_checks) == 0);
        CHECK(4, in_vm_ns("n1", vm_ns_limits) == 0);

        /* a colliding slot: refused, and its undo leaves n1's veth, table and namespace */
        k = net_up(&other, "up9", 20101, 20101, NULL, NULL, NULL, &err);
        CHECK(5, k < 0 && err && strstr(err, "sisv0"));
        free(err);
        err = NULL;
        CHECK(6, alias_is("sisv0", "sis-launch:n1") && table_exists("ip sis-n1") && access(n1.ns_path, F_OK) == 0);
        CHECK(7, access(other.ns_path, F_OK) < 0 && !table_exists("ip sis-other"));
        /* n1 again: its pin exists; nothing of the running n1 is touched */
        k = net_up(&n1, "up9", 20100, 20100, NULL, NULL, NULL, &err);
        CHECK(8, k == -EEXIST);
        free(err);
        err = NULL;
        CHECK(9, alias_is("sisv0", "sis-launch:n1") && table_exists("ip sis-n1") && in_vm_ns("n1", vm_ns_checks) == 0);

        /* a table sis-n3 that was there before: net_up fails, leaves it, and removes its own */
        CHECK(10, nft_run("add table ip sis-n3\nadd chain ip sis-n3 mine\n", NULL) == 0);
        k = net_up(&n3, "up9", 20103, 20103, NULL, NULL, NULL, &err);
        CHECK(11, k < 0 && err && strstr(err, "sis-n3"));
        free(err);
        err = NULL;
        CHECK(12, table_exists("ip sis-n3") && nft_run("list chain ip sis-n3 mine\n", NULL) == 0);
        CHECK(13, !alias_of("sisv2") && access(n3.ns_path, F_OK) < 0);
        CHECK(14, nft_run("delete table ip sis-n3\n", NULL) == 0);

        /* a second VM with another uplink; taking n2 down leaves n1 as it was */
        k = net_up(&n2, "up8", 20102, 20102, NULL, NULL, NULL, &err);
        CHECK(15, k == 0);
        CHECK(16, table_exists("ip sis-n2") && alias_is("sisv1", "sis-launch:n2"));
        CHECK(17, net_down("n2", 1) == 0);
        CHECK(18, !table_exists("ip sis-n2") && !alias_of("sisv1") && access(n2.ns_path, F_OK) < 0);
        CHECK(19, table_exists("ip sis-n1") && alias_is("sisv0", "sis-launch:n1") && in_vm_ns("n1", vm_ns_checks) == 0);
        CHECK(20, net_down("n2", -1) == 0 && net_down("n2", 1) == 0); /* idempotent */

        /* a sisv* link that is not the VM's: never deleted, by slot or by scan */
        CHECK(21, plain_veth("sisv5", "sisv5p") >= 0);
        {
                struct vm_net n5;
                CHECK(22,
                      net_plan("172.31.0.0/24", 5, "n5", &n5) == 0 && net_down("n5", 5) == 0 &&
                              net_down("n5", -1) == 0);
                CHECK(23, alias_of("sisv5") != NULL);
        }
        /* n1 from its id alone, as clean does after a crash: veth (by its alias), table, namespace */
        CHECK(24, net_down("n1", -1) == 0);
        CHECK(25,
              !table_exists("ip sis-n1") && !alias_of("sisv0") && access(n1.ns_path, F_OK) < 0 && alias_of("sisv5"));
        CHECK(26, net_down("n1", -1) == 0);
        CHECK(27, net_down("n_1", -1) == -EINVAL && net_down("", 0) == -EINVAL);
        return 0;
}

static void test_live(void **state) {
        int status;
        pid_t pid;

        if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) < 0) {
                skip();
                return;
        }
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0)
                        _exit(99);
                _exit(live());
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 99) {
                skip(); /* no namespaces here (a container without them) */
                return;
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                fail_msg("the live test failed: %s %d", WIFEXITED(status) ? "step" : "signal",
                         WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_plan),      cmocka_unit_test(test_forward_order),
                cmocka_unit_test(test_never_set), cmocka_unit_test(test_output_chain),
                cmocka_unit_test(test_lists),     cmocka_unit_test(test_host_rules),
                cmocka_unit_test(test_reasons),   cmocka_unit_test(test_live),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
