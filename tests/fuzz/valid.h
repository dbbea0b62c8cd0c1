/* SPDX-License-Identifier: MIT */
#pragma once
/* For the renderer fuzz targets: each format's output checked by a strict parser of that format,
 * abort() (a finding) when it is not valid:
 *   json        json-c, strict, UTF-8 validated, the whole output one value;
 *   junit       libxml2, well-formed XML (no recovery, no network);
 *   prometheus  the text exposition format's line grammar (HELP/TYPE comments; samples
 *               name{label="value",...} number, label values escaped as the format says);
 *   html, markdown, text  valid UTF-8 with no control character but tab and newline, no C1
 *               control and no noncharacter (an HTML parser refuses them; a terminal obeys them).
 * tests/garbage.sh runs the real consumers (promtool, xmllint, html5lib) on whole audits. */
#include <json-c/json.h>
#include <libxml/parser.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void invalid(const char *format, const char *why) {
        fprintf(stderr, "invalid %s output: %s\n", format, why);
        abort();
}

/* valid UTF-8; no control but \t \n, no C1, no noncharacter */
static void check_chars(const char *format, const char *out) {
        size_t len = strlen(out);
        const unsigned char *u = (const unsigned char *) out;

        for (size_t i = 0; i < len;) {
                size_t n = utf8_seq(u + i, len - i);
                uint32_t cp;
                if (!n)
                        invalid(format, "not UTF-8");
                cp = utf8_cp(u + i, n);
                if ((cp < 0x20 && cp != '\t' && cp != '\n') || (cp >= 0x7f && cp <= 0x9f) ||
                    (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe)
                        invalid(format, "a control character or a noncharacter");
                i += n;
        }
}

static bool prom_name(const char **p) {
        const char *s = *p;
        if (!(*s == '_' || *s == ':' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
                return false;
        while (*s == '_' || *s == ':' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
               (*s >= '0' && *s <= '9'))
                s++;
        *p = s;
        return true;
}

static void check_prometheus(const char *out) {
        const char *f = "prometheus";
        for (const char *l = out; *l;) {
                const char *end = strchr(l, '\n'), *p = l;
                if (!end)
                        invalid(f, "a line without its newline");
                if (*p == '#') {
                        if (strncmp(p, "# HELP ", 7) == 0 || strncmp(p, "# TYPE ", 7) == 0) {
                                p += 7;
                                if (!prom_name(&p) || *p != ' ')
                                        invalid(f, "a HELP or TYPE line without a metric name");
                        }
                } else {
                        if (!prom_name(&p))
                                invalid(f, "a sample without a metric name");
                        if (*p == '{') {
                                p++;
                                while (*p != '}') {
                                        if (!prom_name(&p) || *p++ != '=' || *p++ != '"')
                                                invalid(f, "a label that is not name=\"value\"");
                                        while (*p != '"') {
                                                if (p >= end)
                                                        invalid(f, "a label value that does not end on its line");
                                                if (*p == '\\') {
                                                        p++;
                                                        if (*p != '\\' && *p != '"' && *p != 'n')
                                                                invalid(f, "an escape the format does not have");
                                                }
                                                p++;
                                        }
                                        p++;
                                        if (*p == ',')
                                                p++;
                                        else if (*p != '}')
                                                invalid(f, "labels not separated by commas");
                                }
                                p++;
                        }
                        if (*p++ != ' ')
                                invalid(f, "no blank before the value");
                        {
                                char *e;
                                (void) strtod(p, &e);
                                if (e == p || e != end)
                                        invalid(f, "a value that is not a number");
                        }
                }
                l = end + 1;
        }
        check_chars(f, out);
}

static void check_output(const char *format, const char *out) {
        if (!out)
                return; /* out of memory: the renderer said so */
        if (streq(format, "json")) {
                json_tokener *t = json_tokener_new();
                json_object *o;
                if (!t)
                        return;
                json_tokener_set_flags(t, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
                o = json_tokener_parse_ex(t, out, (int) strlen(out));
                if (!o ||
                    json_tokener_get_parse_end(t) + strspn(out + json_tokener_get_parse_end(t), " \n") != strlen(out))
                        invalid(format, json_tokener_error_desc(json_tokener_get_error(t)));
                json_object_put(o);
                json_tokener_free(t);
        } else if (streq(format, "junit")) {
                xmlDocPtr d = xmlReadMemory(out, (int) strlen(out), "junit.xml", "UTF-8",
                                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
                if (!d)
                        invalid(format, "not well-formed XML");
                xmlFreeDoc(d);
                check_chars(format, out);
        } else if (streq(format, "prometheus"))
                check_prometheus(out);
        else
                check_chars(format, out);
}
