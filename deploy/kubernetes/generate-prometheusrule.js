#!/usr/bin/env node
// @ts-check
// Writes deploy/kubernetes/prometheusrule.yaml: the Prometheus rule files of alerts/ (every
// alerts/*.yml with `groups`) as one PrometheusRule for the Prometheus Operator, with each relative
// runbook_url (docs/runbook.md#section) made absolute from the runbook's base URL.
//
//   npm run k8s:rules                                   # write the file
//   node deploy/kubernetes/generate-prometheusrule.js --stdout
//   node deploy/kubernetes/generate-prometheusrule.js --runbook-base-url https://wiki.example.com/memsnap/runbook
//
// The default base is memsnap's DEFAULT_RUNBOOK_BASE_URL (src/runbook.ts); a test keeps the two equal
// and the committed file identical to this script's output.
const { readdirSync, readFileSync, writeFileSync } = require("node:fs");
const path = require("node:path");
const { parse, stringify } = require("yaml");

const DEFAULT_RUNBOOK_BASE_URL = "https://github.com/memsnap/memsnap/blob/main/docs/runbook.md";
const REPOSITORY = path.resolve(__dirname, "..", "..");
const ALERTS = path.join(REPOSITORY, "alerts");
const OUTPUT = path.join(__dirname, "prometheusrule.yaml");

/** The repository-relative paths of the rule files in alerts/, sorted. */
function ruleFiles() {
  return readdirSync(ALERTS)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .filter((name) => Array.isArray(parse(readFileSync(path.join(ALERTS, name), "utf8"))?.groups))
    .map((name) => `alerts/${name}`);
}

/** An absolute runbook link stays; a relative one keeps its #section under the base. */
function absoluteRunbook(url, base) {
  if (/^https?:\/\//.test(url)) return url;
  const section = url.includes("#") ? url.slice(url.indexOf("#")) : "";
  return `${base.replace(/#.*$/, "")}${section}`;
}

/** @param {{ alert?: string; annotations?: Record<string, string> }} rule @param {string} base */
function withAbsoluteRunbook(rule, base) {
  const runbook = rule.annotations?.runbook_url;
  if (runbook === undefined) return rule;
  return { ...rule, annotations: { ...rule.annotations, runbook_url: absoluteRunbook(runbook, base) } };
}

/** The PrometheusRule manifest, as YAML text. @param {string} base */
function prometheusRule(base) {
  const files = ruleFiles();
  const groups = files.flatMap((file) =>
    parse(readFileSync(path.join(REPOSITORY, file), "utf8")).groups.map((/** @type {any} */ group) => ({
      ...group,
      rules: group.rules.map((/** @type {any} */ rule) => withAbsoluteRunbook(rule, base)),
    })),
  );
  const manifest = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: { name: "memsnap", labels: { "app.kubernetes.io/name": "memsnap" } },
    spec: { groups },
  };
  const header = [
    `# Generated from ${files.join(", ")} by deploy/kubernetes/generate-prometheusrule.js: do not edit.`,
    "# Change the rules in alerts/ and run `npm run k8s:rules`; a test fails while this file differs.",
    `# Runbook links point to ${base}.`,
  ];
  return `${header.join("\n")}\n${stringify(manifest, { lineWidth: 0 })}`;
}

function main(argv) {
  const at = argv.indexOf("--runbook-base-url");
  const base = at < 0 ? DEFAULT_RUNBOOK_BASE_URL : argv[at + 1];
  if (base === undefined || !/^https?:\/\/\S+$/.test(base)) {
    process.stderr.write("generate-prometheusrule: --runbook-base-url needs an absolute http(s) URL\n");
    process.exit(2);
  }
  const text = prometheusRule(base);
  if (argv.includes("--stdout")) process.stdout.write(text);
  else writeFileSync(OUTPUT, text);
}

module.exports = { DEFAULT_RUNBOOK_BASE_URL, prometheusRule, ruleFiles };

if (require.main === module) main(process.argv.slice(2));
