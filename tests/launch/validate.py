#!/usr/bin/python3
"""Validate what sis-launch sent against Firecracker's own API spec (sis tests only).

  validate.py SPEC.yaml --requests RECORD.jsonl     each recorded request: its path and method
                                                    exist, its body matches the body schema
  validate.py SPEC.yaml --config-file FILE.json     a --config-file against FullVmConfiguration

Firecracker refuses unknown fields (serde deny_unknown_fields), which Swagger 2.0 cannot say:
every object schema here gets additionalProperties: false unless it says otherwise. A path
parameter that names an id (drive_id, iface_id) must equal the body's. Prints one line per
problem; exit 1 when there is any.
"""
import argparse
import copy
import json
import re
import sys

import jsonschema
import yaml


def strict(schema):
    """A copy of the spec's schema with objects closed and $refs left for the resolver."""
    if isinstance(schema, dict):
        s = {k: strict(v) for k, v in schema.items()}
        if s.get("type") == "object" and "properties" in s and "additionalProperties" not in s:
            s["additionalProperties"] = False
        return s
    if isinstance(schema, list):
        return [strict(x) for x in schema]
    return schema


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("spec")
    ap.add_argument("--requests")
    ap.add_argument("--config-file")
    a = ap.parse_args()
    spec = yaml.safe_load(open(a.spec))
    root = {"definitions": strict(spec["definitions"])}
    resolver = jsonschema.RefResolver("", root)

    def check(instance, schema, where):
        v = jsonschema.Draft4Validator(schema, resolver=resolver)
        errs = sorted(v.iter_errors(instance), key=lambda e: list(e.path))
        return ["%s: %s (at %s)" % (where, e.message, "/".join(str(p) for p in e.path) or "body") for e in errs]

    problems, n = [], 0
    if a.requests:
        routes = []
        for tmpl, ops in spec["paths"].items():
            names = re.findall(r"{(\w+)}", tmpl)
            rx = re.compile("^" + re.sub(r"{\w+}", r"([^/]+)", tmpl) + "$")
            routes.append((rx, names, ops))
        for line in open(a.requests):
            if not line.strip():
                continue
            r = json.loads(line)
            n += 1
            where = "%s %s" % (r["method"], r["path"])
            m = next(((rx, names, ops, rx.match(r["path"])) for rx, names, ops in routes if rx.match(r["path"])), None)
            if not m:
                problems.append("%s: no such path in the API" % where)
                continue
            rx, names, ops, match = m
            op = ops.get(r["method"].lower())
            if not op:
                problems.append("%s: method not allowed on this path" % where)
                continue
            body_params = [p for p in op.get("parameters", []) if p.get("in") == "body"]
            if not body_params:
                if r["body"] is not None:
                    problems.append("%s: a body where the API takes none" % where)
                continue
            bp = body_params[0]
            if r["body"] is None:
                if bp.get("required"):
                    problems.append("%s: the body is required" % where)
                continue
            problems += check(r["body"], strict(bp["schema"]), where)
            for name, value in zip(names, match.groups()):
                if isinstance(r["body"], dict) and name in r["body"] and r["body"][name] != value:
                    problems.append("%s: path %s=%s but the body says %s" % (where, name, value, r["body"][name]))
    if a.config_file:
        n += 1
        problems += check(json.load(open(a.config_file)), {"$ref": "#/definitions/FullVmConfiguration"}, a.config_file)
    for p in problems:
        print(p)
    print("validated %d item(s), %d problem(s)" % (n, len(problems)))
    return 1 if problems or n == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
