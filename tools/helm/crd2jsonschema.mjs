#!/usr/bin/env node
// Converts CustomResourceDefinitions into kubeconform's standalone JSON schemas, one per kind and served version,
// named as kubeconform looks them up with `-schema-location 'DIR/{{ .ResourceKind }}{{ .KindSuffix }}.json'`:
//   HTTPRoute gateway.networking.k8s.io/v1 -> httproute-gateway-v1.json
// A CRD's openAPIV3Schema already is a JSON schema; made strict like openapi2jsonschema.mjs makes the built-in kinds:
// objects with declared properties and no additionalProperties reject unknown fields (a typo such as `hostname:` for
// `hostnames:` fails instead of being pruned by the API server). CEL rules (x-kubernetes-validations) are left to the
// API server.
//
// Usage: node crd2jsonschema.mjs OUT_DIR CRD.yaml...   (the yaml package: see yaml.mjs)
import fs from 'node:fs';
import path from 'node:path';
import { YAML } from './yaml.mjs';

const [outDir, ...files] = process.argv.slice(2);
if (!outDir || !files.length) {
  console.error('usage: node crd2jsonschema.mjs <out-dir> <crd.yaml>...');
  process.exit(2);
}

/** Rejects unknown fields wherever a schema declares its properties and says nothing of others. */
function strict(schema) {
  if (Array.isArray(schema)) return schema.map(strict);
  if (!schema || typeof schema !== 'object') return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    // `properties` maps names to schemas: recurse into each schema, never treat the names as keywords.
    out[key] =
      key === 'properties'
        ? Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, strict(sub)]))
        : strict(value);
  }
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

fs.mkdirSync(outDir, { recursive: true });
let written = 0;
for (const file of files) {
  for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
    const crd = doc.toJS();
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    const { group, names } = crd.spec;
    for (const version of crd.spec.versions.filter((v) => v.served)) {
      const schema = strict(version.schema.openAPIV3Schema);
      // metadata is `type: object` in a CRD: the API server checks it, so accept what any object's metadata holds.
      schema.properties.metadata = { type: 'object' };
      const name = `${names.kind.toLowerCase()}-${group.split('.')[0].toLowerCase()}-${version.name}.json`;
      fs.writeFileSync(
        path.join(outDir, name),
        JSON.stringify({ $schema: 'http://json-schema.org/schema#', ...schema }, null, 1),
      );
      written += 1;
    }
  }
}
if (!written) {
  console.error(`no served CRD version in ${files.join(', ')}`);
  process.exit(1);
}
console.error(`crd2jsonschema: ${written} schemas written to ${outDir}`);
