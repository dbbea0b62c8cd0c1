/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Libraries the audit needs only on rare paths (libarchive for .tar.gz dumps, libkmod when a
 * module is missing or its modprobe.d options matter) are loaded on first use, as systemd does:
 * linking them would make every run pay for relocating libcrypto, libxml2 and ICU, which they
 * pull in, several times over the cost of the whole audit.
 */

#include <archive.h>
#include <archive_entry.h>
#include <libkmod.h>

/* the symbol lists, packed by hand */
/* clang-format off */
#define SIS_KMOD_SYMBOLS(X)                                                                             \
        X(kmod_new) X(kmod_unref) X(kmod_set_log_priority) X(kmod_list_next) X(kmod_module_new_from_lookup) \
        X(kmod_module_new_from_name) X(kmod_module_apply_filter) X(kmod_module_get_module)               \
        X(kmod_module_get_name) X(kmod_module_get_path) X(kmod_module_get_options) X(kmod_module_unref)  \
        X(kmod_module_unref_list)

#define SIS_ARCHIVE_SYMBOLS(X)                                                                              \
        X(archive_read_new) X(archive_read_free) X(archive_read_support_format_tar)                          \
        X(archive_read_support_filter_gzip) X(archive_read_open_filename) X(archive_read_next_header)         \
        X(archive_read_data_block) X(archive_write_new) X(archive_write_free) X(archive_write_close)          \
        X(archive_write_set_format_pax_restricted) X(archive_write_add_filter_gzip)                           \
        X(archive_write_set_filter_option) X(archive_write_open_fd) X(archive_write_header)                   \
        X(archive_write_data) X(archive_write_disk_new) X(archive_write_disk_set_options)                     \
        X(archive_write_data_block) X(archive_write_finish_entry) X(archive_entry_new) X(archive_entry_free)   \
        X(archive_entry_set_pathname) X(archive_entry_set_filetype) X(archive_entry_set_perm)                  \
        X(archive_entry_set_mtime) X(archive_entry_set_uid) X(archive_entry_set_gid)                           \
        X(archive_entry_set_symlink) X(archive_entry_set_size) X(archive_entry_filetype)                       \
        X(archive_entry_hardlink) X(archive_entry_pathname) X(archive_read_support_filter_xz)                   \
        X(archive_entry_set_hardlink) X(archive_errno)
/* clang-format on */

#define SIS_DL_DECLARE(s) extern __typeof__(s) *sym_##s;
SIS_KMOD_SYMBOLS(SIS_DL_DECLARE)
SIS_ARCHIVE_SYMBOLS(SIS_DL_DECLARE)

/* 0 when loaded (now or before); -EOPNOTSUPP when the library or a symbol is missing. */
int dlopen_libkmod(void);
int dlopen_libarchive(void);

#define sym_kmod_list_foreach(entry, first) \
        for ((entry) = (first); (entry); (entry) = sym_kmod_list_next((first), (entry)))
