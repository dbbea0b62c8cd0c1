/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>
#include <time.h>

/* Strict number parsing: the whole string (after optional surrounding blanks) must be the number.
 * safe_atou64/safe_atou32 take a base prefix as strtoull(base 0) does ("0x1f", "017") and refuse a
 * sign; safe_atoi64/safe_atoi are decimal. 0, -EINVAL (not a number), -ERANGE. */
int safe_atou64(const char *s, uint64_t *ret);
int safe_atoi64(const char *s, int64_t *ret);
int safe_atou32(const char *s, uint32_t *ret);
int safe_atoi(const char *s, int *ret);

/* Version strings "6.1.0-28-amd64" / "v1.10.1" -> comparable triple. */
int parse_version(const char *s, unsigned v[3]);
int version_cmp(const unsigned a[3], const unsigned b[3]);

/* SOURCE_DATE_EPOCH (reproducible-builds.org): the one rule for reading it. Unset or empty:
 * -ENOENT (the caller picks its default). Otherwise it must be only ASCII decimal digits (no sign,
 * no blanks, no "0x", nothing after) naming a second after the epoch that fits time_t, else
 * -EINVAL. 0 is a date like any other (the tests' golden reports carry it; `date +%s` gave it
 * once). 0 or -errno. */
int source_date_epoch(time_t *ret);
