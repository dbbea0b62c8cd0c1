/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * sis-launch's state under the run directory (default /run/sis, a tmpfs: it starts empty at boot,
 * like the VMs):
 *
 *   vms/<id>/state.json        what was started, how, and on what evidence (written atomically)
 *   leases/uid/<n>             the per-VM uid/gid n is in use by the VM named inside
 *
 * A lease is taken with O_CREAT|O_EXCL, so two launches never get the same id, and it is given
 * back only by `clean`, after the VM is gone.
 */
#include <json-c/json.h>
#include <stdint.h>

/* Take the first free number in [min, max] of the lease kind ("uid"); -EUSERS when none left. */
int lease_take(const char *run_dir, const char *kind, uint32_t min, uint32_t max, const char *owner, uint32_t *ret);
/* Give back every lease of kind held by owner: how many. */
int lease_release(const char *run_dir, const char *kind, const char *owner);
/* How many leases of kind are held. */
int lease_count(const char *run_dir, const char *kind);

char *vm_dir(const char *run_dir, const char *id);
/* Read and write vms/<id>/state.json. */
int vm_state_write(const char *run_dir, const char *id, json_object *state);
int vm_state_read(const char *run_dir, const char *id, json_object **ret);
