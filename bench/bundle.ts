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
const DIR = join(h.STATE_DIR, "bundle-size");
const reference = readFileSync(join(h.ROOT, "node_modules/@scalar/api-reference/dist/browser/standalone.js"), "utf8");
const excerpts = [0.25, 0.5, 0.75].map((f) => Math.floor(reference.length * f)).map((i) => reference.slice(i, i + 120));

/** `wrangler deploy --dry-run` of a commit's tree (or the working tree); its [build] step runs in that tree. */
function buildAt(label: string, ref: string | null) {
  const out = join(DIR, label);
  rmSync(out, { recursive: true, force: true });
  const log = h.wranglerSync(["deploy", "--dry-run", "--outdir", out], ref ? h.treeAt(ref) : h.ROOT);
  const js = readFileSync(join(out, "index.js"));
  copyFileSync(join(out, "index.js"), join(out, "index.mjs")); // ESM by extension, for Node's import()
  const [raw, gzip] = [h.round(js.length / 1024, 0), h.round(gzipSync(js).length / 1024, 0)];
  return {
    label,
    ref: ref ?? `${h.git(["rev-parse", "--short", "HEAD"])} + working tree`,
    "index.js raw, KiB": raw,
    "index.js gzip (node:zlib), KiB": gzip,
    'wrangler "Total Upload"': /Total Upload: ([^\n]+)/.exec(log)?.[1]?.trim() ?? "",
    "contains the reference's text": excerpts.some((x) => js.toString("utf8").includes(x)) ? "yes" : "no",
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
  const env = { ...h.offlineEnv, NODE_COMPILE_CACHE: "", NODE_OPTIONS: "" };
  const res = spawnSync(process.execPath, [script, file], { cwd: h.ROOT, env, encoding: "utf8", timeout: 180_000 });
  const r = JSON.parse(res.stdout.trim().split("\n").pop() || "{}") as { status?: number; wall: number; cpu: number };
  if (res.status !== 0 || r.status !== 200) throw new Error(`${child} ${file}: ${res.stderr || res.stdout}`);
  return r;
}

/** Median (min–max) of the samples. */
const stats = (xs: number[]) =>
  `${h.round(h.median(xs), 1)} (${h.round(Math.min(...xs), 1)}–${h.round(Math.max(...xs), 1)})`;
const loadavgStart = h.loadavg1();
mkdirSync(join(DIR, "empty"), { recursive: true });
const empty = join(DIR, "empty", "index.mjs");
writeFileSync(empty, 'export default { fetch() { return new Response("ok"); } };\n');
const builds = BEFORE === "none" ? [] : [buildAt("before", h.git(["rev-parse", BEFORE]))];
builds.push(buildAt("now", process.argv.includes("--now") ? h.git(["rev-parse", h.arg("now", "HEAD")]) : null));
const variants = ["empty", ...builds.map((b) => b.label)];
const fileOf = (v: string) => (v === "empty" ? empty : join(DIR, v, "index.mjs"));
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
const of = (key: string, k: "wall" | "cpu") => samples[key]?.[k] ?? [];
const over = (v: string, k: "wall" | "cpu") =>
  stats(of(`workerd ${v}`, k).map((x, i) => x - (of("workerd empty", k)[i] as number)));
const rows = builds.map((b) => ({
  ...b,
  "workerd: start + first /health − empty Worker's, wall ms": over(b.label, "wall"),
  "workerd: the same, CPU ms (workerd + Miniflare)": over(b.label, "cpu"),
  "workerd: start + first /health, wall ms (not minus)": stats(of(`workerd ${b.label}`, "wall")),
  "V8 import(), wall ms": stats(of(`node ${b.label}`, "wall")),
  "V8 import(), CPU ms": stats(of(`node ${b.label}`, "cpu")),
}));
const emptyWorker = { wall: stats(of("workerd empty", "wall")), cpu: stats(of("workerd empty", "cpu")) };
const metrics = Object.keys(rows[0] ?? {}).filter((k) => k !== "label" && k !== "ref");
const num = (v: unknown) => Number.parseFloat(String(v));
const ratio = (k: string) =>
  rows.length === 2 ? h.round(num(rows[1]?.[k as "label"]) / num(rows[0]?.[k as "label"]), 2) : "";
const json = {
  machine: h.machine(),
  loadavg: [loadavgStart, h.loadavg1()],
  rounds: ROUNDS,
  builds: rows,
  empty_worker: emptyWorker,
};
h.writeResult("bundle", json, [
  h.table(`Worker script size and module load, ${ROUNDS} rounds; ms as median (min–max)`, metrics, [
    ["", (k) => k],
    ...rows.map((r): [string, (k: string) => string | number] => [
      `${r.label} (${r.ref.slice(0, 7)})`,
      (k) => r[k as "label"],
    ]),
    ["now ÷ before", (k) => (Number.isNaN(ratio(k)) ? "" : ratio(k))],
  ]),
]);
if (builds.at(-1)?.["contains the reference's text"] === "yes") {
  console.error("the Worker's script contains the API reference's text");
  process.exitCode = 1;
}
