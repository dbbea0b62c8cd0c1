/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * Single-use snapshots. Resuming one VM state twice duplicates everything in it: IDs, the PRNG
 * state, tokens, TCP sequence numbers. A snapshot is therefore restorable exactly once, by a
 * ledger outside the snapshot (default /var/lib/sis/snapshots: it must survive reboots):
 *
 *   <ledger>/<sha256 of the vmstate file>      created with O_EXCL, written, fsync()ed, and its
 *                                               directory fsync()ed, before anything is started
 *
 * Of two concurrent restores exactly one creates the entry; a crash after the entry and before
 * the start leaves the entry, so the snapshot is spent, never resumed twice. The key is the
 * content's hash, so a copied or renamed snapshot directory is the same snapshot.
 */
#include <stdbool.h>

#include "run.h"

/* 0 claimed; -EEXIST when the snapshot was claimed before (*ret_holder: that entry's text). */
int ledger_claim(const char *ledger, const char *key, const char *name, char **ret_holder);

/* Pause the VM and write DIR: vmstate, mem, home.ext4 (the disk as of the snapshot), meta.json.
 * 0 or 2. The VM stays paused. */
int vm_snapshot(const char *run_dir, const char *id, const char *out, long timeout_ms);
/* Restore DIR as a new VM named o->id: the gate, the compatibility checks, the ledger, then a
 * start that loads the snapshot. 0; 1 refused (gate, ledger, compatibility); 2 error. */
int vm_restore(const struct run_opts *o, const char *dir, const char *ledger);
