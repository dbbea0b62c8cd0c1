/* SPDX-License-Identifier: MIT */
#include "metrics.h"

#include <dirent.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/object.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/tc.h>
#include <sched.h>
#include <sys/socket.h>
#include <time.h>

#include <json-c/json.h>

#include "cgroup.h"
#include "cli.h"
#include "fileio.h"
#include "lifecycle.h"
#include "net.h"
#include "registry.h"
#include "state.h"
#include "util.h"

/* linux/netfilter.h's, which cannot be included beside netinet/in.h */
enum { FAMILY_INET = 1, FAMILY_IPV4 = 2 };

static bool endswith(const char *s, const char *suffix) {
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && streq(s + a - b, suffix);
}

const char *const metrics_reasons[REASON_N] = { "metadata", "private", "host", "deny", "conncap" };

/* --- the VMM's counters, kept by the monitor -------------------------------------------------- */

static uint64_t get_u64(json_object *o, const char *k) {
        json_object *v;
        int64_t x;
        if (!o || !json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_int))
                return 0;
        x = json_object_get_int64(v);
        return x < 0 ? 0 : (uint64_t) x;
}

static json_object *get_obj(json_object *o, const char *k) {
        json_object *v;
        return o && json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_object) ? v : NULL;
}

int vmm_counters_add_fc(struct vmm_counters *c, const char *line) {
        json_object *m = json_tokener_parse(line), *b, *n;

        if (!m || !json_object_is_type(m, json_type_object)) {
                json_object_put(m);
                return -EBADMSG;
        }
        b = get_obj(m, "block");
        n = get_obj(m, "net");
        c->block = c->firecracker = true;
        c->read_bytes += get_u64(b, "read_bytes");
        c->write_bytes += get_u64(b, "write_bytes");
        c->read_ops += get_u64(b, "read_count");
        c->write_ops += get_u64(b, "write_count");
        c->throttled += get_u64(b, "rate_limiter_throttled_events") + get_u64(n, "rx_rate_limiter_throttled") +
                get_u64(n, "tx_rate_limiter_throttled");
        /* a stored value in Firecracker (not a delta): the largest seen */
        if (get_u64(get_obj(m, "seccomp"), "num_faults") > c->seccomp_faults)
                c->seccomp_faults = get_u64(get_obj(m, "seccomp"), "num_faults");
        /* every failed API request, whatever its verb and endpoint */
        for (const char *const *sec =
                     (const char *const[]) { "get_api_requests", "put_api_requests", "patch_api_requests", NULL };
             *sec; sec++) {
                json_object *s = get_obj(m, *sec);
                if (!s)
                        continue;
                json_object_object_foreach(s, k, v) {
                        if (endswith(k, "_fails") && json_object_is_type(v, json_type_int) &&
                            json_object_get_int64(v) > 0)
                                c->api_errors += (uint64_t) json_object_get_int64(v);
                }
        }
        json_object_put(m);
        return 0;
}

char *vmm_counters_format(const struct vmm_counters *c) {
        json_object *o = json_object_new_object();
        char *r;
        if (!o)
                return NULL;
        json_object_object_add(o, "block", json_object_new_boolean(c->block));
        json_object_object_add(o, "read_bytes", json_object_new_int64((int64_t) c->read_bytes));
        json_object_object_add(o, "write_bytes", json_object_new_int64((int64_t) c->write_bytes));
        json_object_object_add(o, "read_ops", json_object_new_int64((int64_t) c->read_ops));
        json_object_object_add(o, "write_ops", json_object_new_int64((int64_t) c->write_ops));
        json_object_object_add(o, "firecracker", json_object_new_boolean(c->firecracker));
        json_object_object_add(o, "throttled", json_object_new_int64((int64_t) c->throttled));
        json_object_object_add(o, "seccomp_faults", json_object_new_int64((int64_t) c->seccomp_faults));
        json_object_object_add(o, "api_errors", json_object_new_int64((int64_t) c->api_errors));
        r = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
        return r;
}

void vmm_counters_parse(const char *text, struct vmm_counters *c) {
        json_object *o = text ? json_tokener_parse(text) : NULL, *v;
        *c = (struct vmm_counters) {};
        if (!o || !json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                return;
        }
        c->block = json_object_object_get_ex(o, "block", &v) && json_object_get_boolean(v);
        c->firecracker = json_object_object_get_ex(o, "firecracker", &v) && json_object_get_boolean(v);
        c->read_bytes = get_u64(o, "read_bytes");
        c->write_bytes = get_u64(o, "write_bytes");
        c->read_ops = get_u64(o, "read_ops");
        c->write_ops = get_u64(o, "write_ops");
        c->throttled = get_u64(o, "throttled");
        c->seccomp_faults = get_u64(o, "seccomp_faults");
        c->api_errors = get_u64(o, "api_errors");
        json_object_put(o);
}

/* --- the kernel's counters in the VM's namespace ----------------------------------------------- */

struct ns_sockets {
        struct nl_sock *route;
        struct mnl_socket *nft;
};

static void ns_sockets_close(struct ns_sockets *s) {
        if (s->route)
                nl_socket_free(s->route);
        if (s->nft)
                mnl_socket_close(s->nft);
        *s = (struct ns_sockets) {};
}

/* Sockets bound to the namespace at path (a socket stays in the namespace it was made in): enter
 * it, open them, come back to self_ns. */
static int ns_sockets_open(const char *path, int self_ns, struct ns_sockets *s) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        int k = 0;

        *s = (struct ns_sockets) {};
        if (fd < 0)
                return -errno;
        if (setns(fd, CLONE_NEWNET) < 0)
                return -errno;
        s->route = nl_socket_alloc();
        if (!s->route || nl_connect(s->route, NETLINK_ROUTE) < 0)
                k = -EIO;
        s->nft = mnl_socket_open(NETLINK_NETFILTER);
        if (!s->nft || mnl_socket_bind(s->nft, 0, MNL_SOCKET_AUTOPID) < 0)
                k = -EIO;
        if (setns(self_ns, CLONE_NEWNET) < 0)
                abort(); /* staying in a VM's namespace would be worse than dying */
        if (k < 0)
                ns_sockets_close(s);
        return k;
}

struct counter_dump {
        const char *table;
        uint64_t *out;
        int found;
};

static int counter_cb(const struct nlmsghdr *nlh, void *data) {
        struct counter_dump *d = data;
        struct nftnl_obj *o = nftnl_obj_alloc();

        /* this table's counters only, whatever else a socket may still hold */
        if (o && nftnl_obj_nlmsg_parse(nlh, o) >= 0 && nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE) == NFT_OBJECT_COUNTER &&
            streq_ptr(nftnl_obj_get_str(o, NFTNL_OBJ_TABLE), d->table)) {
                const char *name = nftnl_obj_get_str(o, NFTNL_OBJ_NAME);
                for (int i = 0; name && i < REASON_N; i++)
                        if (streq(name, metrics_reasons[i])) {
                                d->out[i] = nftnl_obj_get_u64(o, NFTNL_OBJ_CTR_PKTS);
                                d->found++;
                        }
        }
        nftnl_obj_free(o);
        return MNL_CB_OK;
}

/* The packets of the reason counters of table (family), one dump: 0 when at least one was found. */
static int nft_counters(struct mnl_socket *nl, int family, const char *table, uint64_t out[REASON_N]) {
        char buf[32768]; /* MNL_SOCKET_DUMP_SIZE */
        struct nftnl_obj *t = nftnl_obj_alloc();
        static uint32_t seqs;
        struct counter_dump d = { .table = table, .out = out };
        /* one sequence number per request: an answer to an earlier dump is not this one's */
        uint32_t seq = (uint32_t) time(NULL) + ++seqs, portid = mnl_socket_get_portid(nl);
        struct nlmsghdr *nlh;
        ssize_t n;
        int k = MNL_CB_OK;

        if (!t)
                return -ENOMEM;
        nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETOBJ, (uint16_t) family, NLM_F_DUMP | NLM_F_ACK, seq);
        nftnl_obj_set_str(t, NFTNL_OBJ_TABLE, table);
        nftnl_obj_set_u32(t, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
        nftnl_obj_nlmsg_build_payload(nlh, t);
        nftnl_obj_free(t);
        if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
                return -errno;
        while (k > MNL_CB_STOP && (n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0)
                k = mnl_cb_run(buf, (size_t) n, seq, portid, counter_cb, &d);
        return d.found ? 0 : -ENOENT;
}

static void link_counters(struct nl_sock *s, struct vm_sample *v) {
        struct rtnl_link *l = NULL;
        if (rtnl_link_get_kernel(s, 0, "tap0", &l) < 0)
                return;
        /* the TAP's receive is what the guest sent */
        v->guest_tx_bytes = rtnl_link_get_stat(l, RTNL_LINK_RX_BYTES);
        v->guest_tx_packets = rtnl_link_get_stat(l, RTNL_LINK_RX_PACKETS);
        v->guest_rx_bytes = rtnl_link_get_stat(l, RTNL_LINK_TX_BYTES);
        v->guest_rx_packets = rtnl_link_get_stat(l, RTNL_LINK_TX_PACKETS);
        rtnl_link_put(l);
}

/* The overlimits of the root tbf qdiscs of tap0 and uplink0. */
static void tc_counters(struct nl_sock *s, struct vm_sample *v) {
        struct nl_cache *links = NULL, *qdiscs = NULL;
        if (rtnl_link_alloc_cache(s, AF_UNSPEC, &links) < 0)
                return;
        if (rtnl_qdisc_alloc_cache(s, &qdiscs) >= 0) {
                for (struct nl_object *o = nl_cache_get_first(qdiscs); o; o = nl_cache_get_next(o)) {
                        struct rtnl_tc *tc = (struct rtnl_tc *) o;
                        char name[IFNAMSIZ] = "";
                        const char *kind = rtnl_tc_get_kind(tc);
                        if (!kind || !streq(kind, "tbf") || rtnl_tc_get_parent(tc) != TC_H_ROOT ||
                            !rtnl_link_i2name(links, rtnl_tc_get_ifindex(tc), name, sizeof(name)))
                                continue;
                        if (streq(name, "tap0"))
                                v->tc_throttled_rx = rtnl_tc_get_stat(tc, RTNL_TC_OVERLIMITS);
                        else if (streq(name, "uplink0"))
                                v->tc_throttled_tx = rtnl_tc_get_stat(tc, RTNL_TC_OVERLIMITS);
                }
                nl_cache_free(qdiscs);
        }
        nl_cache_free(links);
}

/* --- processes and cgroups ---------------------------------------------------------------------- */

/* The CPU seconds of pid's threads, all of them (*ret_all) and its vCPU threads: "fc_vcpu N"
 * (Firecracker), "CPU N/KVM" or "CPU N/TCG" (QEMU with debug-threads). -ENOENT when the process
 * cannot be read. */
static int thread_seconds(pid_t pid, double *ret_all, double *ret_vcpu) {
        _cleanup_free_ char *dir = strdup_printf("/proc/%d/task", (int) pid);
        DIR *d = dir ? opendir(dir) : NULL;
        struct dirent *e;
        unsigned long long all = 0, vcpu = 0;
        long hz = sysconf(_SC_CLK_TCK);

        if (!d || hz <= 0) {
                if (d)
                        closedir(d);
                return -ENOENT;
        }
        while ((e = readdir(d))) {
                _cleanup_free_ char *p = NULL, *text = NULL, *comm = NULL;
                const char *open_paren, *close_paren, *c;
                unsigned long long ut, st;
                if (e->d_name[0] == '.' || !(p = strdup_printf("%s/%s/stat", dir, e->d_name)) ||
                    read_file_capped(p, 4096, &text, NULL) < 0 || !(open_paren = strchr(text, '(')) ||
                    !(close_paren = strrchr(text, ')')) ||
                    !(comm = strndup(open_paren + 1, (size_t) (close_paren - open_paren - 1))))
                        continue;
                /* after ") ": state is field 3; utime and stime are fields 14 and 15 */
                c = close_paren + 2;
                for (int field = 3; *c && field < 14; c++)
                        if (*c == ' ')
                                field++;
                if (sscanf(c, "%llu %llu", &ut, &st) != 2)
                        continue;
                all += ut + st;
                if (startswith(comm, "fc_vcpu") ||
                    (startswith(comm, "CPU ") && (endswith(comm, "/KVM") || endswith(comm, "/TCG"))))
                        vcpu += ut + st;
        }
        closedir(d);
        *ret_all = (double) all / (double) hz;
        *ret_vcpu = (double) vcpu / (double) hz;
        return 0;
}

/* --- one VM ------------------------------------------------------------------------------------ */

/* One VM's sample; host_nft: a netfilter socket in the host's namespace (NULL: none). */
static void sample_vm(const char *mounts, int self_ns, struct mnl_socket *host_nft, const char *id,
                      struct vm_sample *v) {
        struct vm_view w;
        struct cgroup_usage u;

        *v = (struct vm_sample) { .uptime_s = -1, .cpu_s = -1, .vcpu_s = -1, .mem_bytes = -1, .mem_peak_bytes = -1 };
        snprintf(v->id, sizeof(v->id), "%s", id);
        if (vm_view_load(id, &w) < 0) {
                snprintf(v->backend, sizeof(v->backend), "unknown");
                return;
        }
        snprintf(v->backend, sizeof(v->backend), "%s", w.reg.backend);
        v->up = w.reg.vmm && proc_alive(w.reg.vmm, w.reg.vmm_start);
        if (w.st.has_created) {
                int64_t age = (int64_t) time(NULL) - w.st.created;
                v->uptime_s = v->up && age >= 0 ? age : 0;
        }
        v->watchdog_kills = w.st.watchdog_killed_at != 0 ? 1 : 0;
        if (cgroup_usage(mounts, w.reg.backend, id, &u) >= 0) {
                v->cpu_s = u.cpu_s;
                v->mem_bytes = u.mem_bytes;
                v->mem_peak_bytes = u.mem_peak_bytes;
        }
        if (v->up) {
                double all, vcpu;
                if (thread_seconds(w.reg.vmm, &all, &vcpu) >= 0) {
                        v->vcpu_s = vcpu;
                        /* a v1 host with cpuacct mounted apart from cpu: the jailer made no cpuacct
                         * group, and the VMM is all there is of the VM */
                        if (v->cpu_s < 0)
                                v->cpu_s = all;
                }
        }
        if (w.reg.slot >= 0 && (w.reg.made & REG_NET)) {
                _cleanup_free_ char *ns = net_ns_path(id), *table = strdup_printf("sis-%s", id);
                struct ns_sockets s;
                uint64_t host[REASON_N] = {};
                if (ns && table && ns_sockets_open(ns, self_ns, &s) >= 0) {
                        v->net = true;
                        link_counters(s.route, v);
                        tc_counters(s.route, v);
                        v->denied_known = nft_counters(s.nft, FAMILY_INET, "sis", v->denied) >= 0;
                        ns_sockets_close(&s);
                }
                /* the host's table: what the VM sent to the host itself or to another link */
                if (host_nft && table && nft_counters(host_nft, FAMILY_IPV4, table, host) >= 0)
                        v->denied[REASON_HOST] = host[REASON_HOST];
        }
        {
                _cleanup_free_ char *p = strdup_printf("%s/vms/%s/vmm-counters.json", w.reg.run_dir, id), *text = NULL;
                if (p && read_file_capped(p, 64 << 10, &text, NULL) >= 0) {
                        vmm_counters_parse(text, &v->vmm);
                        v->vmm_known = true;
                }
        }
        vm_view_done(&w);
}

int metrics_collect(struct vm_sample **ret, size_t *ret_n) {
        _cleanup_strv_free_ char **ids = NULL;
        _cleanup_free_ char *mounts = NULL;
        _cleanup_close_ int self_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        struct mnl_socket *host_nft;
        struct vm_sample *s;
        size_t n;
        int k;

        *ret = NULL;
        *ret_n = 0;
        if (self_ns < 0)
                return -errno;
        k = reg_list(&ids);
        if (k == -ENOENT)
                return 0; /* no registry: no VM */
        if (k < 0)
                return k;
        (void) read_file_capped("/proc/self/mounts", 1 << 20, &mounts, NULL);
        n = strv_length(ids);
        s = n ? calloc(n, sizeof(*s)) : NULL;
        if (n && !s)
                return -ENOMEM;
        host_nft = mnl_socket_open(NETLINK_NETFILTER);
        if (host_nft && mnl_socket_bind(host_nft, 0, MNL_SOCKET_AUTOPID) < 0) {
                mnl_socket_close(host_nft);
                host_nft = NULL;
        }
        for (size_t i = 0; i < n; i++)
                sample_vm(mounts, self_ns, host_nft, ids[i], &s[i]);
        if (host_nft)
                mnl_socket_close(host_nft);
        *ret = s;
        *ret_n = n;
        return 0;
}

/* --- rendering --------------------------------------------------------------------------------- */

/* Seconds to the microsecond the kernel counts in, without trailing zeros: "12.5", "0.09". */
static const char *fmt_seconds(double x, char v[64]) {
        size_t l = (size_t) snprintf(v, 64, "%.6f", x);
        while (l > 1 && v[l - 1] == '0')
                v[--l] = '\0';
        if (l > 1 && v[l - 1] == '.')
                v[--l] = '\0';
        return v;
}

enum kind { GAUGE, COUNTER };

/* One family: HELP and TYPE, then a line per VM that has the value (get returns false when not). */
typedef bool (*getter)(const struct vm_sample *v, int arg, double *ret);

static void family(struct sbuf *sb, const char *name, enum kind kind, const char *help, const struct vm_sample *s,
                   size_t n, getter get, const char *label, const char *const *values, int nvalues) {
        bool any = false;
        for (size_t i = 0; i < n; i++)
                for (int a = 0; a < (nvalues ? nvalues : 1); a++) {
                        double x;
                        if (!get(&s[i], a, &x))
                                continue;
                        if (!any) {
                                sbuf_printf(sb, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
                                            kind == GAUGE ? "gauge" : "counter");
                                any = true;
                        }
                        /* ids are [A-Za-z0-9-] and backends ours: nothing to escape */
                        sbuf_printf(sb, "%s{vm=\"%s\",backend=\"%s\"", name, s[i].id, s[i].backend);
                        if (nvalues)
                                sbuf_printf(sb, ",%s=\"%s\"", label, values[a]);
                        if (x == (double) (uint64_t) x && x < 1e15)
                                sbuf_printf(sb, "} %llu\n", (unsigned long long) x);
                        else {
                                char v[64];
                                sbuf_printf(sb, "} %s\n", fmt_seconds(x, v));
                        }
                }
}

#define GETTER(fn, cond, expr) \
        static bool fn(const struct vm_sample *v, int a, double *r) { \
                (void) a; \
                if (!(cond)) \
                        return false; \
                *r = (double) (expr); \
                return true; \
        }
GETTER(g_up, true, v->up)
GETTER(g_uptime, v->uptime_s >= 0, v->uptime_s)
GETTER(g_watchdog, true, v->watchdog_kills)
GETTER(g_cpu, v->cpu_s >= 0, v->cpu_s)
GETTER(g_vcpu, v->vcpu_s >= 0, v->vcpu_s)
GETTER(g_mem, v->mem_bytes >= 0, v->mem_bytes)
GETTER(g_mem_peak, v->mem_peak_bytes >= 0, v->mem_peak_bytes)
GETTER(g_net_bytes, v->net, a == 0 ? v->guest_tx_bytes : v->guest_rx_bytes)
GETTER(g_net_packets, v->net, a == 0 ? v->guest_tx_packets : v->guest_rx_packets)
GETTER(g_tc, v->net, a == 0 ? v->tc_throttled_tx : v->tc_throttled_rx)
GETTER(g_denied, v->denied_known, v->denied[a])
GETTER(g_block_bytes, v->vmm_known && v->vmm.block, a == 0 ? v->vmm.read_bytes : v->vmm.write_bytes)
GETTER(g_block_ops, v->vmm_known && v->vmm.block, a == 0 ? v->vmm.read_ops : v->vmm.write_ops)
GETTER(g_vmm_throttled, v->vmm_known && v->vmm.firecracker, v->vmm.throttled)
GETTER(g_seccomp, v->vmm_known && v->vmm.firecracker, v->vmm.seccomp_faults)
GETTER(g_api_errors, v->vmm_known && v->vmm.firecracker, v->vmm.api_errors)

static const char *const directions[] = { "out", "in" };
static const char *const rw[] = { "read", "write" };

char *metrics_prometheus(const struct vm_sample *s, size_t n) {
        struct sbuf sb = {};
        family(&sb, "sis_vm_up", GAUGE, "1 when the VM's VMM is running.", s, n, g_up, NULL, NULL, 0);
        family(&sb, "sis_vm_uptime_seconds", GAUGE, "Seconds since the VM was started.", s, n, g_uptime, NULL, NULL, 0);
        family(&sb, "sis_vm_watchdog_kills_total", COUNTER,
               "Times the monitor's watchdog killed the VMM (0 or 1: a killed VM is not restarted).", s, n, g_watchdog,
               NULL, NULL, 0);
        family(&sb, "sis_vm_cpu_seconds_total", COUNTER, "CPU time of the VM's cgroup: VMM and vCPUs.", s, n, g_cpu,
               NULL, NULL, 0);
        family(&sb, "sis_vm_vcpu_seconds_total", COUNTER, "CPU time of the VMM's vCPU threads.", s, n, g_vcpu, NULL,
               NULL, 0);
        family(&sb, "sis_vm_memory_bytes", GAUGE, "Memory charged to the VM's cgroup now.", s, n, g_mem, NULL, NULL, 0);
        family(&sb, "sis_vm_memory_peak_bytes", GAUGE, "The most memory charged to the VM's cgroup.", s, n, g_mem_peak,
               NULL, NULL, 0);
        family(&sb, "sis_vm_network_bytes_total", COUNTER, "Bytes the guest sent (out) and received (in), at its TAP.",
               s, n, g_net_bytes, "direction", directions, 2);
        family(&sb, "sis_vm_network_packets_total", COUNTER,
               "Packets the guest sent (out) and received (in), at its TAP.", s, n, g_net_packets, "direction",
               directions, 2);
        family(&sb, "sis_vm_network_throttled_total", COUNTER,
               "Times the kernel's rate limit (tbf) held back the guest's traffic, by direction.", s, n, g_tc,
               "direction", directions, 2);
        family(&sb, "sis_vm_denied_packets_total", COUNTER, "Packets from the guest the firewall dropped, by reason.",
               s, n, g_denied, "reason", metrics_reasons, REASON_N);
        family(&sb, "sis_vm_block_bytes_total", COUNTER,
               "Bytes the guest read and wrote on its drives, as its VMM reports them.", s, n, g_block_bytes, "op", rw,
               2);
        family(&sb, "sis_vm_block_ops_total", COUNTER,
               "Read and write requests of the guest's drives, as its VMM reports them.", s, n, g_block_ops, "op", rw,
               2);
        family(&sb, "sis_vm_vmm_throttled_total", COUNTER,
               "Firecracker's rate limiter throttle events (drives and network), as it reports them.", s, n,
               g_vmm_throttled, NULL, NULL, 0);
        family(&sb, "sis_vm_seccomp_faults_total", COUNTER,
               "System calls Firecracker's seccomp filter refused, as it reports them.", s, n, g_seccomp, NULL, NULL,
               0);
        family(&sb, "sis_vm_api_errors_total", COUNTER, "Firecracker API requests that failed, as it reports them.", s,
               n, g_api_errors, NULL, NULL, 0);
        return sbuf_steal(&sb);
}

static json_object *num(double x) {
        char v[64];
        return x == (double) (int64_t) x ? json_object_new_int64((int64_t) x)
                                         : json_object_new_double_s(x, fmt_seconds(x, v));
}

char *metrics_json(const struct vm_sample *s, size_t n) {
        json_object *doc = json_object_new_object(), *vms = json_object_new_array();
        char *r;

        for (size_t i = 0; i < n; i++) {
                const struct vm_sample *v = &s[i];
                json_object *o = json_object_new_object();
                json_object_object_add(o, "vm", json_object_new_string(v->id));
                json_object_object_add(o, "backend", json_object_new_string(v->backend));
                json_object_object_add(o, "up", json_object_new_boolean(v->up));
                json_object_object_add(o, "uptime_s", v->uptime_s >= 0 ? json_object_new_int64(v->uptime_s) : NULL);
                json_object_object_add(o, "watchdog_kills", json_object_new_int64(v->watchdog_kills));
                json_object_object_add(o, "cpu_s", v->cpu_s >= 0 ? num(v->cpu_s) : NULL);
                json_object_object_add(o, "vcpu_s", v->vcpu_s >= 0 ? num(v->vcpu_s) : NULL);
                json_object_object_add(o, "memory_bytes",
                                       v->mem_bytes >= 0 ? json_object_new_int64(v->mem_bytes) : NULL);
                json_object_object_add(o, "memory_peak_bytes",
                                       v->mem_peak_bytes >= 0 ? json_object_new_int64(v->mem_peak_bytes) : NULL);
                if (v->net) {
                        json_object *nw = json_object_new_object();
                        json_object_object_add(nw, "out_bytes", json_object_new_int64((int64_t) v->guest_tx_bytes));
                        json_object_object_add(nw, "out_packets", json_object_new_int64((int64_t) v->guest_tx_packets));
                        json_object_object_add(nw, "in_bytes", json_object_new_int64((int64_t) v->guest_rx_bytes));
                        json_object_object_add(nw, "in_packets", json_object_new_int64((int64_t) v->guest_rx_packets));
                        json_object_object_add(nw, "throttled_out",
                                               json_object_new_int64((int64_t) v->tc_throttled_tx));
                        json_object_object_add(nw, "throttled_in", json_object_new_int64((int64_t) v->tc_throttled_rx));
                        json_object_object_add(o, "network", nw);
                }
                if (v->denied_known) {
                        json_object *d = json_object_new_object();
                        for (int r2 = 0; r2 < REASON_N; r2++)
                                json_object_object_add(d, metrics_reasons[r2],
                                                       json_object_new_int64((int64_t) v->denied[r2]));
                        json_object_object_add(o, "denied_packets", d);
                }
                if (v->vmm_known && v->vmm.block) {
                        json_object *b = json_object_new_object();
                        json_object_object_add(b, "read_bytes", json_object_new_int64((int64_t) v->vmm.read_bytes));
                        json_object_object_add(b, "write_bytes", json_object_new_int64((int64_t) v->vmm.write_bytes));
                        json_object_object_add(b, "read_ops", json_object_new_int64((int64_t) v->vmm.read_ops));
                        json_object_object_add(b, "write_ops", json_object_new_int64((int64_t) v->vmm.write_ops));
                        json_object_object_add(o, "block", b);
                }
                if (v->vmm_known && v->vmm.firecracker) {
                        json_object_object_add(o, "vmm_throttled", json_object_new_int64((int64_t) v->vmm.throttled));
                        json_object_object_add(o, "seccomp_faults",
                                               json_object_new_int64((int64_t) v->vmm.seccomp_faults));
                        json_object_object_add(o, "api_errors", json_object_new_int64((int64_t) v->vmm.api_errors));
                }
                json_object_array_add(vms, o);
        }
        json_object_object_add(doc, "vms", vms);
        r = strdup(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(doc);
        if (r) {
                char *t = strdup_printf("%s\n", r);
                free(r);
                r = t;
        }
        return r;
}

int vm_metrics(bool json, const char *output) {
        struct vm_sample *s = NULL;
        size_t n = 0;
        _cleanup_free_ char *text = NULL;
        int k = metrics_collect(&s, &n);

        if (k < 0)
                return cli_fail(2, "the registry (%s): %s", REGISTRY_DIR, strerror(-k));
        text = json ? metrics_json(s, n) : metrics_prometheus(s, n);
        free(s);
        if (!text)
                return cli_fail(2, "out of memory");
        if (!output) {
                fputs(text, stdout);
                return fflush(stdout) == 0 ? 0 : 2;
        }
        /* the textfile collector reads whole files only: temp file, fsync, rename */
        k = write_file_atomic(output, text, strlen(text), 0644);
        if (k < 0)
                return cli_fail(2, "--output %s: %s", output, strerror(-k));
        return 0;
}
