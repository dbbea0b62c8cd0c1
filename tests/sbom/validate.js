#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Validates CycloneDX JSON files with a real consumer: @cyclonedx/cyclonedx-library's strict JSON
// validator (the spec's strict schema, ajv underneath). Exits 0 when every file is valid, 1 when
// one is not (its errors on stderr), 2 when the validator itself is missing or a file is unreadable.
//   node tests/sbom/validate.js [--spec 1.5] FILE...
// The library is found in $SIS_SBOM_NODE_MODULES, else build/sbom-npm/node_modules (scripts/deps.sh test).
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
const modules = process.env.SIS_SBOM_NODE_MODULES || path.join(root, 'build', 'sbom-npm', 'node_modules');
let CDX;
try {
  CDX = require(path.join(modules, '@cyclonedx', 'cyclonedx-library'));
} catch (e) {
  console.error(`validate.js: @cyclonedx/cyclonedx-library is not installed in ${modules} (run scripts/deps.sh test): ${e.message}`);
  process.exit(2);
}

const args = process.argv.slice(2);
let spec = '1.5';
if (args[0] === '--spec') {
  spec = args[1];
  args.splice(0, 2);
}
if (args.length === 0) {
  console.error('usage: validate.js [--spec 1.5] FILE...');
  process.exit(2);
}
const version = Object.values(CDX.Spec.Version).find((v) => v === spec);
if (!version) {
  console.error(`validate.js: unknown CycloneDX spec version ${spec}`);
  process.exit(2);
}

(async () => {
  const validator = new CDX.Validation.JsonStrictValidator(version);
  let rc = 0;
  for (const f of args) {
    let text;
    try {
      text = fs.readFileSync(f, 'utf8');
    } catch (e) {
      console.error(`${f}: ${e.message}`);
      rc = Math.max(rc, 2);
      continue;
    }
    let errors;
    try {
      errors = await validator.validate(text);
    } catch (e) {
      // not JSON at all, or the validator's optional dependencies are missing
      if (e instanceof CDX.Validation.MissingOptionalDependencyError) {
        console.error(`validate.js: ${e.message}`);
        process.exit(2);
      }
      console.error(`${f}: not valid: ${e.message}`);
      rc = Math.max(rc, 1);
      continue;
    }
    if (errors === null) {
      console.log(`${f}: valid CycloneDX ${version}`);
    } else {
      console.error(`${f}: not valid CycloneDX ${version}:`);
      console.error(JSON.stringify(errors, null, 2));
      rc = Math.max(rc, 1);
    }
  }
  process.exit(rc);
})();
