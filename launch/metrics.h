/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * sis-launch metrics: one series set per VM of the host's registry, labelled vm and backend, in
 * Prometheus' text format (for node_exporter's textfile collector) or JSON. Everything is read from
 * the kernel or from root's files; nothing is asked of a VMM (which may be hostile, or wedged) at
 * the time, and what comes from one (block, throttle, seccomp and API counters, which the monitor
 * keeps) is marked as the VMM's word in its help text: a compromised VMM can lie about itself, and
 * only about itself:
 *
 *   up, uptime            the registry's VMM pid and start time; state.json's "created"
 *   watchdog kills        state.json's "watchdog_killed_at" (the monitor records it)
 *   CPU seconds           the VM's cgroup (cpu.stat usage_usec, or v1's cpuacct.usage): VMM and
 *                         vCPUs together; vCPU seconds: the VMM's threads named "fc_vcpu N"
 *                         (Firecracker) or "CPU N/KVM", "CPU N/TCG" (QEMU), from /proc
 *   memory current, peak  the VM's memory cgroup (memory.current/peak, v1's usage/max_usage)
 *   network               tap0's counters in the VM's namespace (libnl); the guest's transmit is
 *                         the TAP's receive; throttled: the tbf qdiscs' overlimits (tap0: to the
 *                         guest, uplink0: from it)
 *   denied packets        the nftables counters of the VM's drop chains, by reason (libnftnl: one
 *                         netlink dump per table, no rule-set parse)
 *   block, VMM counters   vms/<id>/vmm-counters.json, which the monitor keeps: Firecracker's
 *                         metrics summed (they are deltas), or QEMU's query-blockstats
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { REASON_METADATA, REASON_PRIVATE, REASON_HOST, REASON_DENY, REASON_CONNCAP, REASON_N };
extern const char *const metrics_reasons[REASON_N];

/* What the monitor keeps of the VMM's own counters (vmm-counters.json). */
struct vmm_counters {
        bool block; /* the block counters are known */
        uint64_t read_bytes, write_bytes, read_ops, write_ops;
        bool firecracker;   /* the rest is Firecracker's */
        uint64_t throttled; /* rate limiter throttle events (drives, net) */
        uint64_t seccomp_faults, api_errors;
};

struct vm_sample {
        char id[65];
        char backend[16];
        bool up;
        int64_t uptime_s; /* -1: unknown */
        unsigned watchdog_kills;
        double cpu_s, vcpu_s;              /* -1: unknown */
        int64_t mem_bytes, mem_peak_bytes; /* -1: unknown */
        bool net;                          /* the VM has its network (the counters below are read) */
        uint64_t guest_tx_bytes, guest_tx_packets, guest_rx_bytes, guest_rx_packets;
        uint64_t tc_throttled_rx, tc_throttled_tx; /* to the guest (tap0), from it (uplink0) */
        bool denied_known;
        uint64_t denied[REASON_N];
        bool vmm_known;
        struct vmm_counters vmm;
};

/* One sample per VM of the registry (sorted by name). 0 or -errno. */
int metrics_collect(struct vm_sample **ret, size_t *ret_n);
/* The text of the samples: Prometheus' exposition format (HELP and TYPE once per family), or a
 * JSON document {"vms": [...]} . NULL on ENOMEM. */
char *metrics_prometheus(const struct vm_sample *s, size_t n);
char *metrics_json(const struct vm_sample *s, size_t n);

/* vmm-counters.json, both ways (unknown keys and wrong types are 0). */
char *vmm_counters_format(const struct vmm_counters *c);
void vmm_counters_parse(const char *text, struct vmm_counters *c);
/* Add one line of Firecracker's metrics (a JSON object; its counters are deltas) to c: 0, or
 * -EBADMSG for a line that is not one. */
int vmm_counters_add_fc(struct vmm_counters *c, const char *line);

/* The verb: collect, render, print or write output atomically (0644). 0, or 2 naming the file. */
int vm_metrics(bool json, const char *output);
