#!/usr/bin/env node
// Validates rendered Kubernetes manifests (multi-document YAML, e.g. `helm template` output) against the
// Kubernetes OpenAPI schemas (npm `kubernetes-models`) and the prometheus-operator CRD schemas
// (`@kubernetes-models/prometheus-operator`). Unknown kinds fail. Usage: validate-manifests.mjs FILE...
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : [null, apiVersion];
  const candidates =
    group === 'monitoring.coreos.com'
      ? [`@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`]
      : [group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/${version}/${kind}`];
  for (const specifier of candidates) {
    try {
      const module = await import(specifier);
      if (module[kind]) return module[kind];
    } catch {
      // try the next candidate
    }
  }
  return null;
}

let failures = 0;
let checked = 0;
for (const file of process.argv.slice(2)) {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      console.error(`${file}: YAML error: ${doc.errors[0].message}`);
      failures++;
      continue;
    }
    const object = doc.toJS();
    if (object === null || object === undefined) continue;
    const where = `${file}: ${object.kind ?? '?'} ${object.metadata?.name ?? '?'}`;
    if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
      console.error(`${where}: missing apiVersion/kind`);
      failures++;
      continue;
    }
    const Model = await modelFor(object.apiVersion, object.kind);
    if (!Model) {
      console.error(`${where}: no schema for ${object.apiVersion} ${object.kind}`);
      failures++;
      continue;
    }
    try {
      new Model(object).validate();
      checked++;
    } catch (error) {
      console.error(`${where}: ${error instanceof Error ? error.message : String(error)}`);
      failures++;
    }
  }
}
if (failures > 0) {
  console.error(`validate-manifests: ${failures} invalid of ${checked + failures}`);
  process.exit(1);
}
console.log(`validate-manifests: ${checked} manifests valid`);
