/* SPDX-License-Identifier: MIT */
#pragma once
/*
 * Single-use snapshots. Resuming one VM state twice duplicates everything in it: IDs, the PRNG
 * state, tokens, TCP sequence numbers. A snapshot is therefore restorable exactly once, by a
 * ledger outside the snapshot (default /var/lib/sis/snapshots: it must survive reboots):
 *
 *   <ledger>/<snapshot id>                     created with O_EXCL, written, fsync()ed, and its
 *                                               directory fsync()ed, before anything is started
 *
 * Of two concurrent restores exactly one creates the entry; a crash after the entry and before
 * the start leaves the entry, so the snapshot is spent, never resumed twice. The key is the
 * snapshot's random id, inside its authenticated manifest: a copied or renamed snapshot directory
 * is the same snapshot, and no edit of a manifest makes a new one (its MAC would not verify).
 * <ledger>/issued/<id> records each snapshot made here; a restore needs it.
 */
#include <stdbool.h>

#include "run.h"

/* 0 claimed; -EEXIST when the snapshot was claimed before (*ret_holder: that entry's text). */
int ledger_claim(const char *ledger, const char *key, const char *name, char **ret_holder);

/* Where a snapshot goes and how it is sealed and accounted for. */
struct snap_opts {
        const char *out;    /* snapshot: the new directory (never overwritten) */
        const char *ledger; /* issued and spent snapshot ids */
        const char *key;    /* the host key file */
        bool key_given;     /* --key: the key must exist (a fleet's); else it is made on first use */
        const char *images; /* restore: where kernels and root filesystems are found by sha256 */
        bool forensic;      /* snapshot: add the VM's logs, audit and policy; never restorable */
};
#define SNAPSHOT_KEY "/var/lib/sis/snapshot.key"
#define SNAPSHOT_LEDGER "/var/lib/sis/snapshots"
#define SNAPSHOT_IMAGES "/var/lib/sis/images"

/* Pause the VM and write so->out: the VM's state and memory (QEMU: its migration stream) and its
 * home disk, each sealed (seal.h), and manifest.json (every file's size and sha256, the VM's facts,
 * the images by sha256, the wrapped data key, a random id) with manifest.mac, its HMAC under the
 * host key. The id is recorded as issued in the ledger before the directory is published.
 * The VM is found by name in the host's registry (its run directory is the one it was started
 * with). 0 or 2. The VM stays paused. */
int vm_snapshot(const char *id, const struct snap_opts *so, long timeout_ms);
/* Restore DIR as a new VM named o->id: the manifest's MAC, exactly its files, an id issued on this
 * ledger, the gate, the compatibility checks, the images by hash, then the ledger's claim, and a
 * start whose jail gets the snapshot's files opened (decrypted, each chunk verified) into its own
 * tmpfs. 0; 1 refused (any check, a file that does not verify); 2 error. */
int vm_restore(const struct run_opts *o, const char *dir, const struct snap_opts *so);
