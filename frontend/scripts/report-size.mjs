// Reports the gzipped size of the JavaScript the Desk's index.html loads up front (the entry
// chunk and its static imports, from Vite's manifest) and fails the build above the budget.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const BUDGET_KB = 300;
const outDir = fileURLToPath(new URL("../../apps/desk/src/framework_m_desk/static", import.meta.url));
const manifest = JSON.parse(readFileSync(join(outDir, ".vite", "manifest.json"), "utf8"));

const entry = Object.entries(manifest).find(([, chunk]) => chunk.isEntry);
if (!entry) throw new Error("no entry chunk in the Vite manifest");

const initial = new Set();
const visit = (key) => {
  const chunk = manifest[key];
  if (!chunk || initial.has(chunk.file)) return;
  initial.add(chunk.file);
  for (const imported of chunk.imports ?? []) visit(imported);
};
visit(entry[0]);

let total = 0;
const rows = [];
for (const file of initial) {
  const gz = gzipSync(readFileSync(join(outDir, file))).length;
  total += gz;
  rows.push(`  ${file}  ${(gz / 1024).toFixed(1)} KB gzipped`);
}
const totalKb = total / 1024;
console.log(`Initial JavaScript (entry + static imports):\n${rows.join("\n")}\n  total ${totalKb.toFixed(1)} KB gzipped (budget ${BUDGET_KB} KB)`);
if (totalKb > BUDGET_KB) {
  console.error(`Initial JavaScript is ${totalKb.toFixed(1)} KB gzipped, over the ${BUDGET_KB} KB budget`);
  process.exit(1);
}
