/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * sis-launch's state under the run directory (default /run/sis, a tmpfs: it starts empty at boot,
 * like the VMs):
 *
 *   vms/<id>/state.json        what was started, how, and on what evidence (written atomically)
 *   vms/<id>/audit.json        the gate's report
 *   vms/<id>/<vmm>.log         the VMM's log, the guest's serial, metrics (the monitor's)
 *
 * What is host-wide (the name, the uid, the network slot, and what was made for the VM) is not
 * here but in the registry (launch/registry.h): the run directory is informational.
 */
#include <json-c/json.h>
#include <stdint.h>

char *vm_dir(const char *run_dir, const char *id);
/* Read and write vms/<id>/state.json. */
int vm_state_write(const char *run_dir, const char *id, json_object *state);
int vm_state_read(const char *run_dir, const char *id, json_object **ret);
