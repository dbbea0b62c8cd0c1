/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * A running VM's life after `run`: a monitor process per VM drains Firecracker's log and metrics
 * FIFOs into bounded files under /run/sis/vms/<id>/ and watches the API (a VMM that stops
 * answering is SIGKILLed); stop, kill and logs act on it.
 */
#include <stdbool.h>
#include <sys/types.h>

#define LOG_CAP (1u << 20) /* firecracker.log rotates to .1 past this */

/* Fork the monitor (detached, its own session) for VM id. interval_s 0: no watchdog. Its pid and
 * start time go into the VM's state. 0 or -errno. */
int monitor_start(const char *run_dir, const char *id, unsigned interval_s);

/* SendCtrlAltDel, then SIGTERM after timeout_s, then SIGKILL after 5 s more. 0 stopped; 2. */
int vm_stop(const char *run_dir, const char *id, unsigned timeout_s);
/* SIGKILL now. */
int vm_kill(const char *run_dir, const char *id);
/* Print the VM's Firecracker log (the rotated part first). */
int vm_logs(const char *run_dir, const char *id);

#include <json-c/json.h>

/* A process recorded in a VM's state: key ("pid", "monitor") and key_starttime. */
bool vm_state_pid(json_object *st, const char *key, pid_t *pid, unsigned long long *start);
/* Our process, still running: same start time, not a zombie. */
bool proc_alive(pid_t pid, unsigned long long starttime);
unsigned long long proc_starttime(pid_t pid);
