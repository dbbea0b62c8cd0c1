/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>

#include "report.h"

#define REPORT_SCHEMA_VERSION 1

/* On failure *ret_error (caller frees) is one line naming the file. */
int report_load(const char *path, struct sis_report **ret, char **ret_error);
int report_parse(const char *text, size_t len, const char *name, struct sis_report **ret, char **ret_error);
int report_from_json(json_object *o, const char *name, struct sis_report **ret, char **ret_error);
