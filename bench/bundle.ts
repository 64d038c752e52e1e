/**
 * The Worker script's size (`wrangler deploy --dry-run`, raw and gzipped) and module load against a commit from before
 * the API reference became an asset: workerd start-up to the first /health minus a one-line Worker's, and V8's
 * import(), one fresh process per sample, variants interleaved. Exits 1 if the script holds the reference's text.
 *   npx tsx bench/bundle.ts [--before <ref>|none] [--now <ref>] [--rounds 11] [--smoke]
 */

import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import * as h from "./lib/harness";

/** The last commit whose Worker held the reference as a string at module scope. */
const BEFORE = h.arg("before", "813887615d5249803b83ca52d719fc38d4d2605e");
const ROUNDS = Number(h.arg("rounds", String(h.size(11, 1))));
const DIR = join(h.STATE_DIR, "bundle-h.size");
const reference = readFileSync(join(h.ROOT, "node_modules/@scalar/api-reference/dist/browser/standalone.js"), "utf8");
const excerpts = [0.25, 0.5, 0.75].map((f) =>
  reference.slice(Math.floor(reference.length * f), Math.floor(reference.length * f) + 120),
);

/** `wrangler deploy --dry-run` of a commit's tree (or the working tree); its [build] step runs in that tree. */
function buildAt(label: string, ref: string | null) {
  const out = join(DIR, label);
  rmSync(out, { recursive: true, force: true });
  const log = h.wranglerSync(["deploy", "--dry-run", "--outdir", out], ref ? h.treeAt(ref) : h.ROOT);
  const js = readFileSync(join(out, "index.js"));
  copyFileSync(join(out, "index.js"), join(out, "index.mjs")); // ESM by extension, for Node's import()
  return {
    label,
    ref: ref ?? `${h.git(["rev-parse", "--short", "HEAD"])} + working tree`,
    raw_kib: h.round(js.length / 1024, 0),
    gzip_kib: h.round(gzipSync(js).length / 1024, 0),
    wrangler_total: /Total Upload: ([^\n]+)/.exec(log)?.[1]?.trim() ?? "",
    contains_reference: excerpts.some((x) => js.toString("utf8").includes(x)),
    file: join(out, "index.mjs"),
  };
}

const CHILDREN = {
  workerd: `import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
const script = process.argv[2];
const t0 = performance.now();
const mf = new Miniflare(convertV4MiniflareOptions({ name: "bench", modules: true, scriptPath: script, modulesRoot: dirname(script), compatibilityDate: "2026-11-01" }));
const res = await mf.dispatchFetch("http://localhost/health");
await res.arrayBuffer();
const wall = performance.now() - t0;
await mf.dispose();
// utime stime cutime cstime (clock ticks): this process and its reaped children, workerd among them.
const f = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
console.log(JSON.stringify({ status: res.status, wall, cpu: (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 10 }));`,
  node: `const c0 = process.cpuUsage();
const t0 = performance.now();
const mod = await import("file://" + process.argv[2]);
const wall = performance.now() - t0;
const c = process.cpuUsage(c0);
if (typeof mod.default?.fetch !== "function") throw new Error("no fetch handler");
console.log(JSON.stringify({ status: 200, wall, cpu: (c.user + c.system) / 1000 }));`,
};

function sample(child: keyof typeof CHILDREN, file: string) {
  const script = join(DIR, `${child}-child.mjs`);
  writeFileSync(script, CHILDREN[child]);
  const res = spawnSync(process.execPath, [script, file], {
    cwd: h.ROOT,
    env: { ...h.offlineEnv, NODE_COMPILE_CACHE: "", NODE_OPTIONS: "" },
    encoding: "utf8",
    timeout: 180_000,
  });
  const r = JSON.parse(res.stdout.trim().split("\n").pop() || "{}") as { status?: number; wall: number; cpu: number };
  if (res.status !== 0 || r.status !== 200) throw new Error(`${child} ${file}: ${res.stderr || res.stdout}`);
  return r;
}

const stats = (xs: number[]) => ({
  median: h.round(h.median(xs), 1),
  min: h.round(Math.min(...xs), 1),
  max: h.round(Math.max(...xs), 1),
});
const loadavgStart = h.loadavg1();
mkdirSync(join(DIR, "empty"), { recursive: true });
const empty = join(DIR, "empty", "index.mjs");
writeFileSync(empty, 'export default { fetch() { return new Response("ok"); } };\n');
const builds = [
  ...(BEFORE === "none" ? [] : [buildAt("before", h.git(["rev-parse", BEFORE]))]),
  buildAt("now", process.argv.includes("--now") ? h.git(["rev-parse", h.arg("now", "HEAD")]) : null),
];
const variants = ["empty", ...builds.map((b) => b.label)];
const fileOf = (v: string) => builds.find((b) => b.label === v)?.file ?? empty;
const samples: Record<string, { wall: number[]; cpu: number[] }> = {};
const push = (key: string, s: { wall: number; cpu: number }) => {
  samples[key] ??= { wall: [], cpu: [] };
  samples[key].wall.push(s.wall);
  samples[key].cpu.push(s.cpu);
};
await h.pairedRounds(variants, ROUNDS, (v) => {
  push(`workerd ${v}`, sample("workerd", fileOf(v)));
  if (v !== "empty") push(`node ${v}`, sample("node", fileOf(v)));
  return 0;
});
const over = (v: string, k: "wall" | "cpu") =>
  stats((samples[`workerd ${v}`]?.[k] ?? []).map((x, i) => x - (samples["workerd empty"]?.[k][i] as number)));
const load = builds.map((b) => ({
  label: b.label,
  workerd_wall_over_empty_ms: over(b.label, "wall"),
  workerd_cpu_over_empty_ms: over(b.label, "cpu"),
  workerd_wall_ms: stats(samples[`workerd ${b.label}`]?.wall ?? []),
  v8_import_wall_ms: stats(samples[`node ${b.label}`]?.wall ?? []),
  v8_import_cpu_ms: stats(samples[`node ${b.label}`]?.cpu ?? []),
}));
const emptyWorker = {
  wall: stats(samples["workerd empty"]?.wall ?? []),
  cpu: stats(samples["workerd empty"]?.cpu ?? []),
};
type Row = (typeof builds)[number] & (typeof load)[number];
const rows = builds.map((b, i) => ({ ...b, ...load[i] }) as Row);
type Stat = { median: number; min: number; max: number };
const metrics: Array<[string, (r: Row) => number | string | Stat]> = [
  ["index.js raw, KiB", (r) => r.raw_kib],
  ["index.js gzip (node:zlib), KiB", (r) => r.gzip_kib],
  ['wrangler "Total Upload"', (r) => r.wrangler_total],
  ["contains the reference's text", (r) => (r.contains_reference ? "yes" : "no")],
  ["workerd: start + first /health − empty Worker's, wall ms", (r) => r.workerd_wall_over_empty_ms],
  ["workerd: the same, CPU ms (workerd + Miniflare)", (r) => r.workerd_cpu_over_empty_ms],
  ["workerd: start + first /health, wall ms (not minus)", (r) => r.workerd_wall_ms],
  ["V8 import(), wall ms", (r) => r.v8_import_wall_ms],
  ["V8 import(), CPU ms", (r) => r.v8_import_cpu_ms],
];
const value = (v: number | string | Stat) => (typeof v === "object" ? v.median : v);
const ratio = (m: (typeof metrics)[number]) => {
  const [before, now] = rows.map((r) => value(m[1](r)));
  return typeof now === "number" && typeof before === "number" ? h.round(now / before, 2) : "";
};
h.writeResult(
  "bundle",
  {
    machine: h.machine(),
    loadavg: [loadavgStart, h.loadavg1()],
    rounds: ROUNDS,
    builds: rows,
    empty_worker: emptyWorker,
  },
  [
    h.table(`Worker script size and module load, ${ROUNDS} rounds; ms as median (min–max)`, metrics, [
      ["", (m) => m[0]],
      ...rows.map((r): [string, (m: (typeof metrics)[number]) => string | number] => [
        `${r.label} (${r.ref.slice(0, 7)})`,
        (m) => {
          const v = m[1](r);
          return typeof v === "object" ? `${v.median} (${v.min}–${v.max})` : v;
        },
      ]),
      ...(rows.length === 2 ? [["now ÷ before", ratio] as [string, typeof ratio]] : []),
    ]),
  ],
);
if (builds.at(-1)?.contains_reference) {
  console.error("the Worker's script contains the API reference's text");
  process.exitCode = 1;
}
