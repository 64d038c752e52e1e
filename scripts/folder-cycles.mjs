// Reads `depcruise --output-type json` on stdin and fails on any cycle between folders (src/<folder>,
// src/lib/<folder>); a feature's routes count apart from its domain, being a layer above the engine.
// Module cycles are the config's no-circular rule.
import { readFileSync } from "node:fs";

const ROUTES = /^src\/[^/]+\/(routes|[^/]+[.]routes)[.]tsx?$/;
const folderOf = (file) => {
  const folder = /^src\/(lib\/[^/]+|[^/]+)/.exec(file)?.[0] ?? file;
  return ROUTES.test(file) ? `${folder} (routes)` : folder;
};
const edges = new Map();
for (const mod of JSON.parse(readFileSync(0, "utf8")).modules) {
  const from = folderOf(mod.source);
  for (const dep of mod.dependencies) {
    const to = folderOf(dep.resolved);
    if (!to.startsWith("src/") || to === from) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    edges.get(from).set(to, `${mod.source} → ${dep.resolved}`);
  }
}

// Tarjan's strongly connected components: every component of two or more folders is a cycle.
let index = 0;
const stack = [];
const meta = new Map();
const cycles = [];
function visit(v) {
  meta.set(v, { index, low: index, onStack: true });
  index++;
  stack.push(v);
  for (const w of edges.get(v)?.keys() ?? []) {
    if (!meta.has(w)) visit(w);
    if (meta.get(w).onStack) meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).low);
  }
  if (meta.get(v).low !== meta.get(v).index) return;
  const component = [];
  let w;
  do {
    w = stack.pop();
    meta.get(w).onStack = false;
    component.push(w);
  } while (w !== v);
  if (component.length > 1) cycles.push(component);
}
for (const v of edges.keys()) if (!meta.has(v)) visit(v);

for (const component of cycles) {
  console.error(`folder cycle: ${component.sort().join(" ↔ ")}`);
  for (const from of component)
    for (const [to, via] of edges.get(from) ?? []) if (component.includes(to)) console.error(`  ${via}`);
}
if (cycles.length > 0) process.exit(1);
console.log("no folder cycles");
