/* SPDX-License-Identifier: MIT */
#pragma once

/* The fleet view: many host reports as hosts x checks, worst hosts first. */
#include "report.h"
#include "util.h"

struct fleet_check {
        char *id, *category;
        unsigned fail, warn, unknown, waived; /* hosts with that status */
        size_t order;                         /* where it was first seen */
};

struct fleet {
        struct sis_report **reports; /* worst host first */
        char **hosts;                /* unique host names, same order */
        size_t n;
        struct fleet_check *checks; /* most failures first, then first-seen order */
        size_t n_checks;
        json_object **index; /* per host: check id -> its finding's position (json-c's hash) */
};

/* Takes ownership of the reports. */
int fleet_new(struct sis_report **reports, size_t n, struct fleet **ret);
void fleet_free(struct fleet *f);
/* The finding of check id on host i, or NULL. */
const struct sis_finding *fleet_get(const struct fleet *f, size_t host, const char *id);

/* The fleet renderers (the format registry in render.h names them); NULL on ENOMEM. */
char *fleet_json(const struct fleet *f);
char *fleet_markdown(const struct fleet *f);
char *fleet_html(const struct fleet *f);
char *fleet_junit(const struct fleet *f);
char *fleet_prometheus(const struct fleet *f);

/* Shared with the single-report renderers. */
void prom_render(struct sbuf *b, struct sis_report *const *rs, char *const *hosts, size_t n);
void junit_suite(struct sbuf *b, const struct sis_report *r, const char *name, const char *category);
void html_head(struct sbuf *b, const char *title);
void html_filters(struct sbuf *b);
const char *md_badge(enum sis_status s, bool waived);
extern const char html_script[];
