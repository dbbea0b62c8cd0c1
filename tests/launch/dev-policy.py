#!/usr/bin/python3
"""A development policy for sis tests: waives exactly what fails in an audit report (FAIL, and
required UNKNOWN), for two days. dev-policy.py REPORT.json OUT.json [REASON]"""
import datetime
import json
import sys

rep = json.load(open(sys.argv[1]))
bad = [c["id"] for c in rep["checks"] if c["status"] == "FAIL" or (c["status"] == "UNKNOWN" and c.get("required"))]
exp = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
reason = sys.argv[3] if len(sys.argv) > 3 else "sis tests: a development host"
json.dump({"policy_version": 1, "profile": "development",
           "waivers": [{"check": c, "reason": reason, "expires": exp, "approver": "tests"} for c in bad]},
          open(sys.argv[2], "w"), indent=1)
