/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The report model: one list of findings that every renderer (text, JSON, JUnit, Prometheus,
 * Markdown, HTML) turns into its format. Checks fill findings and never print.
 *
 * Every string in the model is one line of valid UTF-8, whatever the host's files (or a report
 * read back) held: what enters is repaired by utf8_repair()'s one rule (lib/util.h: each byte
 * outside a well-formed sequence, and each NUL, becomes U+FFFD), and control characters (C0,
 * DEL, C1: a terminal would obey them) become spaces; an evidence value that needed repair keeps
 * its raw bytes in value_hex. Renderers then only escape what their format cannot carry.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "macro.h"

enum sis_status { SIS_PASS, SIS_WARN, SIS_FAIL, SIS_SKIP, SIS_UNKNOWN, _SIS_STATUS_MAX };
enum sis_severity { SIS_SEV_INFO, SIS_SEV_LOW, SIS_SEV_MEDIUM, SIS_SEV_HIGH, SIS_SEV_CRITICAL, _SIS_SEV_MAX };
enum sis_verdict { SIS_VERDICT_PASS, SIS_VERDICT_FAIL, SIS_VERDICT_INCONCLUSIVE };

const char *sis_status_name(enum sis_status s); /* "PASS" */
int sis_status_from_name(const char *s);        /* -EINVAL if unknown */
int sis_severity_from_name(const char *s);
const char *sis_severity_name(enum sis_severity s); /* "high" */
const char *sis_verdict_name(enum sis_verdict v);   /* "pass" */
/* How bad a status is when several results combine: PASS, SKIP < WARN < UNKNOWN < FAIL. */
int sis_status_rank(enum sis_status s);

struct sis_evidence {
        char *path;
        char *value;
        char *value_hex; /* the raw bytes of a value that was not valid UTF-8, or NULL */
};

struct sis_note {
        enum sis_status status;
        char *text;
};

/* A policy's waiver on a finding: shown everywhere, and the finding no longer decides the verdict. */
struct sis_waiver {
        char *reason, *expires, *approver;
};

struct sis_finding {
        char *id, *title, *category, *rationale, *remediation;
        enum sis_severity severity;
        bool required;
        enum sis_status status;
        bool waived;
        struct sis_waiver waiver;
        char *summary;
        struct sis_evidence *evidence;
        size_t n_evidence;
        char **references;
        /* while the check runs */
        struct sis_note *notes;
        size_t n_notes;
        bool oom;
};

struct sis_finding *sis_finding_new(const char *id, const char *title, const char *category, enum sis_severity severity,
                                    bool required);
void sis_finding_free(struct sis_finding *f);

/* A partial result: the finding's status is the worst note's; its summary joins the notes of
 * that status. */
void sis_finding_note(struct sis_finding *f, enum sis_status status, const char *fmt, ...) _printf_(3, 4);
/* Not applicable on this host (only when nothing else was noted). */
void sis_finding_skip(struct sis_finding *f, const char *fmt, ...) _printf_(2, 3);
void sis_finding_evidence(struct sis_finding *f, const char *path, const char *fmt, ...) _printf_(3, 4);
/* The same from len bytes (NUL and invalid UTF-8 allowed); value_hex: raw bytes recorded earlier
 * (a report read back), kept when value itself is valid. */
void sis_finding_evidence_bytes(struct sis_finding *f, const char *path, const char *value, size_t len,
                                const char *value_hex);
/* A copy of len bytes as report text (utf8_repair, controls blanked), NULL only on ENOMEM. */
char *sis_text(const char *s, size_t len);
void sis_finding_set_text(char **field, const char *fmt, ...) _printf_(2, 3);
void sis_finding_add_reference(struct sis_finding *f, const char *ref);
/* Settle status and summary from the notes. */
void sis_finding_finish(struct sis_finding *f);

struct sis_report {
        char *tool, *version, *profile;
        json_object *host; /* ordered facts: kernel, cpu, hostname, root, live… */
        time_t started;
        double duration;
        struct sis_finding **findings;
        size_t n_findings;
        char *policy;                     /* the policy file applied, or NULL */
        unsigned counts[_SIS_STATUS_MAX]; /* of findings that are not waived */
        unsigned waived;
        enum sis_verdict verdict;
};

struct sis_report *sis_report_new(const char *tool, const char *version, const char *profile);
void sis_report_free(struct sis_report *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct sis_report *, sis_report_free);
#define _cleanup_report_ _cleanup_(sis_report_freep)
int sis_report_add(struct sis_report *r, struct sis_finding *f); /* takes ownership */
void sis_report_host_fact(struct sis_report *r, const char *key, const char *value);
void sis_report_host_fact_int(struct sis_report *r, const char *key, long value);
/* Counts and verdict: fail on any FAIL, inconclusive on a required UNKNOWN, else pass; waived
 * findings are counted apart and decide nothing. */
void sis_report_finish(struct sis_report *r);
/* The exit code for the verdict: 0 pass, 1 fail, 3 inconclusive. */
int sis_report_exit_code(const struct sis_report *r);
