/* SPDX-License-Identifier: MIT */
#include "vmlimits.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "fileio.h"
#include "util.h"

/* "A" or "A/B", each 0..max, the second 0..max2: -EINVAL otherwise. */
static int parse_pair(const char *s, unsigned max, unsigned max2, unsigned *a, unsigned *b) {
        _cleanup_free_ char *x = s ? strdup(s) : NULL;
        char *slash;
        uint32_t v1, v2 = 0;

        /* digits and at most one '/' between them: no sign, no blank, no exponent */
        if (!x || !*x || strspn(x, "0123456789/") != strlen(x))
                return -EINVAL;
        slash = strchr(x, '/');
        if (slash)
                *slash++ = '\0';
        if (safe_atou32(x, &v1) < 0 || v1 > max || (slash && (safe_atou32(slash, &v2) < 0 || v2 > max2)))
                return -EINVAL;
        *a = v1;
        *b = v2;
        return 0;
}

/* A burst of kib KiB at mbit Mbit/s: 0 (the default) or 64 KiB to 32 MiB, and at most 1 s of the rate
 * (beyond that tc's 32-bit bucket time wraps, and a guest could send seconds at full speed). */
static bool burst_ok(unsigned mbit, unsigned kib) {
        return kib == 0 ||
                (kib >= LIMITS_BURST_MIN_KIB && kib <= LIMITS_BURST_MAX_KIB &&
                 ((uint64_t) kib << 10) <= (uint64_t) mbit * 1000000u / 8u);
}

int limits_parse_net(const char *s, struct vm_limits *l) {
        unsigned a, b;
        if (parse_pair(s, LIMITS_NET_MAX, LIMITS_BURST_MAX_KIB, &a, &b) < 0 || (a == 0 && b != 0) || !burst_ok(a, b))
                return -EINVAL;
        l->net_mbit = a;
        l->net_burst_kib = b;
        return 0;
}

int limits_parse_disk(const char *s, struct vm_limits *l) {
        unsigned a, b;
        if (parse_pair(s, LIMITS_DISK_MAX, LIMITS_IOPS_MAX, &a, &b) < 0)
                return -EINVAL;
        l->disk_mbyte = a;
        l->disk_iops = b;
        return 0;
}

int limits_parse_conns(const char *s, struct vm_limits *l) {
        uint32_t v;
        if (!s || !*s || strspn(s, "0123456789") != strlen(s) || safe_atou32(s, &v) < 0 || v > LIMITS_CONNS_MAX)
                return -EINVAL;
        l->max_conns = v;
        return 0;
}

int limits_conf_load(const char *path, bool required, struct vm_limits *l, char **err) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        _cleanup_free_ char *text = NULL;
        struct vm_limits n = *l;
        struct stat st;
        unsigned line = 0;

        if (fd < 0) {
                if (errno == ENOENT && !required)
                        return 0;
                return set_error(err, errno == ELOOP ? -EPERM : -errno, "%s: %s", path,
                                 errno == ELOOP ? "a symlink: refusing it" : strerror(errno));
        }
        if (fstat(fd, &st) < 0)
                return set_error(err, -errno, "%s: %s", path, strerror(errno));
        if (!S_ISREG(st.st_mode))
                return set_error(err, -EPERM, "%s: not a regular file: refusing it", path);
        if (st.st_uid != 0)
                return set_error(err, -EPERM, "%s belongs to uid %u, not root: refusing it", path,
                                 (unsigned) st.st_uid);
        if (st.st_mode & 022)
                return set_error(err, -EPERM, "%s is writable by others (mode %04o): refusing it", path,
                                 (unsigned) (st.st_mode & 07777));
        if (read_fd_capped(fd, 64 << 10, &text, NULL) < 0)
                return set_error(err, -EINVAL, "%s: unreadable, or larger than 64 KiB", path);
        /* line by line; strtok_r would skip empty lines and miscount */
        for (char *p = text, *next; p && *p; p = next) {
                char *eq, *key, *val;
                int k;

                next = strchr(p, '\n');
                if (next)
                        *next++ = '\0';
                line++;
                p[strcspn(p, "#")] = '\0';
                key = strstrip(p);
                if (!*key)
                        continue;
                eq = strchr(key, '=');
                if (!eq)
                        return set_error(err, -EINVAL, "%s:%u: not 'key = value'", path, line);
                *eq = '\0';
                key = strstrip(key);
                val = strstrip(eq + 1);
                if (streq(key, "net-rate"))
                        k = limits_parse_net(val, &n);
                else if (streq(key, "disk-rate"))
                        k = limits_parse_disk(val, &n);
                else if (streq(key, "max-conns"))
                        k = limits_parse_conns(val, &n);
                else
                        return set_error(err, -EINVAL, "%s:%u: unknown key '%s' (net-rate, disk-rate, max-conns)", path,
                                         line, key);
                if (k < 0)
                        return set_error(err, -EINVAL, "%s:%u: %s: '%s' is not %s", path, line, key, val,
                                         streq(key, "net-rate")            ? "MBIT[/BURST_KIB]"
                                                 : streq(key, "disk-rate") ? "MBYTES[/IOPS]"
                                                                           : "a number of connections");
        }
        *l = n;
        return 0;
}

uint64_t limits_net_bytes(const struct vm_limits *l) {
        return (uint64_t) l->net_mbit * 1000000u / 8u;
}

uint64_t limits_net_burst(const struct vm_limits *l) {
        uint64_t b;
        if (!l->net_mbit)
                return 0;
        if (l->net_burst_kib)
                return (uint64_t) l->net_burst_kib << 10;
        b = limits_net_bytes(l) / 10; /* 100 ms */
        if (b > ((uint64_t) LIMITS_BURST_MAX_KIB << 10))
                b = (uint64_t) LIMITS_BURST_MAX_KIB << 10;
        return b < ((uint64_t) LIMITS_BURST_MIN_KIB << 10) ? (uint64_t) LIMITS_BURST_MIN_KIB << 10 : b;
}

uint64_t limits_net_queue(const struct vm_limits *l) {
        uint64_t q = limits_net_bytes(l) / 20;
        return q > (4u << 20) ? 4u << 20 : q;
}

char *limits_describe(const struct vm_limits *l) {
        struct sbuf sb = {};
        if (l->net_mbit)
                sbuf_printf(&sb, "net %u Mbit/s (burst %llu KiB)", l->net_mbit,
                            (unsigned long long) (limits_net_burst(l) >> 10));
        if (l->disk_mbyte || l->disk_iops) {
                sbuf_printf(&sb, "%sdisk", sb.len ? ", " : "");
                if (l->disk_mbyte)
                        sbuf_printf(&sb, " %u MB/s", l->disk_mbyte);
                if (l->disk_iops)
                        sbuf_printf(&sb, " %u IOPS", l->disk_iops);
        }
        if (l->max_conns)
                sbuf_printf(&sb, "%s%u connections", sb.len ? ", " : "", l->max_conns);
        if (!sb.len)
                sbuf_puts(&sb, "none");
        return sbuf_steal(&sb);
}

char *limits_short(const struct vm_limits *l) {
        struct sbuf sb = {};
        if (l->net_mbit)
                sbuf_printf(&sb, "net=%u", l->net_mbit);
        if (l->disk_mbyte || l->disk_iops)
                sbuf_printf(&sb, "%sdisk=%u/%u", sb.len ? "," : "", l->disk_mbyte, l->disk_iops);
        if (l->max_conns)
                sbuf_printf(&sb, "%sconns=%u", sb.len ? "," : "", l->max_conns);
        if (!sb.len)
                sbuf_puts(&sb, "-");
        return sbuf_steal(&sb);
}

json_object *limits_to_json(const struct vm_limits *l) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "net_mbit", json_object_new_int64(l->net_mbit));
        json_object_object_add(o, "net_burst_kib", json_object_new_int64((int64_t) (limits_net_burst(l) >> 10)));
        json_object_object_add(o, "disk_mbyte", json_object_new_int64(l->disk_mbyte));
        json_object_object_add(o, "disk_iops", json_object_new_int64(l->disk_iops));
        json_object_object_add(o, "max_conns", json_object_new_int64(l->max_conns));
        return o;
}

static unsigned get_u(json_object *o, const char *k, unsigned max) {
        json_object *v;
        int64_t x;
        if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_int))
                return 0;
        x = json_object_get_int64(v);
        return x < 0 || x > max ? 0 : (unsigned) x;
}

void limits_from_json(json_object *o, struct vm_limits *l) {
        *l = (struct vm_limits) { .net_mbit = get_u(o, "net_mbit", LIMITS_NET_MAX),
                                  .net_burst_kib = get_u(o, "net_burst_kib", LIMITS_BURST_MAX_KIB),
                                  .disk_mbyte = get_u(o, "disk_mbyte", LIMITS_DISK_MAX),
                                  .disk_iops = get_u(o, "disk_iops", LIMITS_IOPS_MAX),
                                  .max_conns = get_u(o, "max_conns", LIMITS_CONNS_MAX) };
        if (!l->net_mbit || !burst_ok(l->net_mbit, l->net_burst_kib))
                l->net_burst_kib = 0;
}

/* A TokenBucket for per_s units a second: refilled every 100 ms with a tenth of it (a burst is
 * then at most a tenth of a second's worth), or every second for small rates that a tenth would
 * round away. */
static json_object *bucket(uint64_t per_s) {
        json_object *b = json_object_new_object();
        bool fine = per_s >= 1000;
        json_object_object_add(b, "size", json_object_new_int64((int64_t) (fine ? per_s / 10 : per_s)));
        json_object_object_add(b, "refill_time", json_object_new_int64(fine ? 100 : 1000));
        return b;
}

/* A bucket that is off: Firecracker takes a size or refill time of 0 as no limit. */
static json_object *bucket_off(void) {
        json_object *b = json_object_new_object();
        json_object_object_add(b, "size", json_object_new_int64(0));
        json_object_object_add(b, "refill_time", json_object_new_int64(0));
        return b;
}

json_object *limits_fc_net(const struct vm_limits *l, bool off) {
        json_object *rl, *bw;
        uint64_t burst = limits_net_burst(l), rate = limits_net_bytes(l);

        if (!l->net_mbit && !off)
                return NULL;
        rl = json_object_new_object();
        if (!l->net_mbit) {
                json_object_object_add(rl, "bandwidth", bucket_off());
                return rl;
        }
        /* as deep as tbf's bucket, refilled at the rate (rounded up: never faster than asked) */
        bw = json_object_new_object();
        json_object_object_add(bw, "size", json_object_new_int64((int64_t) burst));
        json_object_object_add(bw, "refill_time", json_object_new_int64((int64_t) ((burst * 1000 + rate - 1) / rate)));
        json_object_object_add(rl, "bandwidth", bw);
        return rl;
}

json_object *limits_fc_disk(const struct vm_limits *l, bool off) {
        json_object *rl;
        if (!l->disk_mbyte && !l->disk_iops && !off)
                return NULL;
        rl = json_object_new_object();
        if (l->disk_mbyte || off)
                json_object_object_add(rl, "bandwidth",
                                       l->disk_mbyte ? bucket((uint64_t) l->disk_mbyte * 1000000u) : bucket_off());
        if (l->disk_iops || off)
                json_object_object_add(rl, "ops", l->disk_iops ? bucket(l->disk_iops) : bucket_off());
        return rl;
}
