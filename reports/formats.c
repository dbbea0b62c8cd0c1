/* SPDX-License-Identifier: MIT */
/* The format registry: one row per output format, naming its renderers; and when colour is wanted. */
#include <stdlib.h>
#include <unistd.h>

#include "fleet.h"
#include "render.h"

static const struct report_format formats[] = {
        { "text", render_text, NULL },
        { "json", render_json, fleet_json },
        { "junit", render_junit, fleet_junit },
        { "prometheus", render_prometheus, fleet_prometheus },
        { "markdown", render_markdown, fleet_markdown },
        { "html", render_html, fleet_html },
};

const struct report_format *report_format_lookup(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(formats); i++)
                if (streq(name, formats[i].name))
                        return &formats[i];
        return NULL;
}

bool render_color_auto(void) {
        return isatty(STDOUT_FILENO) && !getenv("NO_COLOR") && !streq_ptr(getenv("TERM"), "dumb");
}
