#!/usr/bin/env node
// Converts the Kubernetes OpenAPI v2 document (api/openapi-spec/swagger.json of the k8s.io/kubernetes module) into
// one standalone, strict JSON schema per kind, named the way kubeconform looks schemas up with
// `-schema-location 'DIR/{{ .ResourceKind }}{{ .KindSuffix }}.json'`:
//   Deployment apps/v1 -> deployment-apps-v1.json, Service v1 -> service-v1.json,
//   Ingress networking.k8s.io/v1 -> ingress-networking-v1.json
// "standalone": each file carries the definitions it references (transitively) under `definitions`, so the validator
// needs no network and no cross-file references. "strict": objects with declared properties reject unknown fields
// (a typo such as `readinesProbe` fails instead of being silently dropped by the API server).
// Kubernetes-specific encodings are mapped to plain JSON schema: IntOrString -> string|integer,
// Quantity -> string|number; optional fields accept null (as the API server does).
//
// Usage: node openapi2jsonschema.mjs swagger.json OUT_DIR
import fs from 'node:fs';
import path from 'node:path';

const [specPath, outDir] = process.argv.slice(2);
if (!specPath || !outDir) {
  console.error('usage: node openapi2jsonschema.mjs <swagger.json> <out-dir>');
  process.exit(2);
}

const spec = JSON.parse(fs.readFileSync(specPath, 'utf8'));
const definitions = spec.definitions ?? {};
const REF_PREFIX = '#/definitions/';

/** Definitions whose wire format is not what their OpenAPI `type` says. */
const SPECIAL = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { oneOf: [{ type: 'string' }, { type: 'integer' }] },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { oneOf: [{ type: 'string' }, { type: 'number' }] },
  // Free-form JSON payloads.
  'io.k8s.apimachinery.pkg.runtime.RawExtension': {},
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON': {},
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1': {},
};

/** Adds null to the accepted types of an optional field. */
function nullable(schema) {
  if (schema.$ref || schema.oneOf || schema.type === undefined) return { anyOf: [schema, { type: 'null' }] };
  return { ...schema, type: [].concat(schema.type, 'null') };
}

/** Converts one OpenAPI schema node; records referenced definition names in `refs`. */
function convert(node, refs) {
  if (node.$ref) {
    const name = node.$ref.slice(REF_PREFIX.length);
    refs.add(name);
    return { $ref: `#/definitions/${name}` };
  }
  if (node.format === 'int-or-string') return SPECIAL['io.k8s.apimachinery.pkg.util.intstr.IntOrString'];
  const out = {};
  if (node.type !== undefined) out.type = node.type;
  if (node.enum) out.enum = node.enum;
  if (node.items) out.items = convert(node.items, refs);
  if (node.properties) {
    const required = new Set(node.required ?? []);
    out.properties = {};
    for (const [key, child] of Object.entries(node.properties)) {
      const converted = convert(child, refs);
      out.properties[key] = required.has(key) ? converted : nullable(converted);
    }
    if (required.size) out.required = [...required];
    // Strict: fields not in the API are errors, unless the node declares a map.
    out.additionalProperties = node.additionalProperties ? convert(node.additionalProperties, refs) : false;
  } else if (node.additionalProperties !== undefined) {
    out.additionalProperties =
      typeof node.additionalProperties === 'object'
        ? convert(node.additionalProperties, refs)
        : node.additionalProperties;
  }
  return out;
}

const converted = new Map(); // name -> { schema, refs }
function definition(name) {
  if (!converted.has(name)) {
    const refs = new Set();
    const def = definitions[name];
    if (!def) throw new Error(`dangling $ref to ${name}`);
    converted.set(name, { schema: SPECIAL[name] ?? convert(def, refs), refs });
  }
  return converted.get(name);
}

/** The definition plus everything it reaches, for a standalone file. */
function closure(name) {
  const seen = new Set();
  const queue = [name];
  while (queue.length) {
    const next = queue.pop();
    if (seen.has(next)) continue;
    seen.add(next);
    for (const ref of definition(next).refs) queue.push(ref);
  }
  seen.delete(name);
  return [...seen].sort();
}

fs.mkdirSync(outDir, { recursive: true });
let written = 0;
for (const [name, def] of Object.entries(definitions)) {
  for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
    const { schema } = definition(name);
    const group = gvk.group ? gvk.group.split('.')[0] : '';
    const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
    const file = `${gvk.kind.toLowerCase()}${group ? `-${group.toLowerCase()}` : ''}-${gvk.version.toLowerCase()}.json`;
    const standalone = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: `${apiVersion} ${gvk.kind} (${name})`,
      ...schema,
      // apiVersion and kind are optional in the spec; a manifest must name exactly this kind.
      properties: {
        ...schema.properties,
        apiVersion: { type: 'string', enum: [apiVersion] },
        kind: { type: 'string', enum: [gvk.kind] },
      },
      definitions: Object.fromEntries(closure(name).map((ref) => [ref, definition(ref).schema])),
    };
    fs.writeFileSync(path.join(outDir, file), JSON.stringify(standalone));
    written += 1;
  }
}
if (written === 0) throw new Error(`no kinds found in ${specPath}`);
console.log(`openapi2jsonschema: wrote ${written} schemas from ${specPath} to ${outDir}`);
