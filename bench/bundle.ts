/**
 * The Worker's script: its size and what loading it costs, now against a commit from before the API reference's
 * script became a static asset (section 10 of bench/RESULTS.md).
 *
 * - Size: `wrangler deploy --dry-run --outdir …` of each tree, its index.js raw and gzipped (node:zlib, default
 *   level), and wrangler's own "Total Upload" line. The current bundle must not contain the reference's text
 *   (three excerpts of node_modules/@scalar/api-reference/dist/browser/standalone.js): the script exits 1 if it does.
 * - Module load, two ways, each in a fresh process per sample (no code cache), the variants interleaved in every
 *   round (order rotated) so that the machine's load falls on all of them alike:
 *   - workerd: `new Miniflare()` on the bundle until its first `GET /health` answers (workerd compiles and
 *     evaluates the Worker's modules at startup), minus the same for a one-line Worker in the same round; wall
 *     time, and CPU time of the process with workerd (its child, reaped at dispose).
 *   - V8 in Node: `await import()` of the bundle (it imports nothing: wrangler inlines every dependency), wall and
 *     CPU time (process.cpuUsage) around the import alone.
 *
 *   npx tsx bench/bundle.ts [--before <git ref> | --before none] [--now <git ref>] [--rounds 11] [--report]
 * `--report` rewrites section 10 from the last result. `--now` measures a commit instead of the working tree
 * (whose uncommitted edits may be others' work in progress).
 */
import { execFileSync, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import {
  commandLine,
  isMain,
  loadavg1,
  machine,
  offlineEnv,
  ROOT,
  readResult,
  round,
  STATE_DIR,
  writeResult,
} from "./lib/common";
import { SCALE_END } from "./lib/scale-report";

/** The last commit whose Worker held the reference as a string at module scope. */
export const DEFAULT_BEFORE = "813887615d5249803b83ca52d719fc38d4d2605e";
/** The 1.6 MiB raw target for the Worker script. */
const RAW_TARGET = 1.6 * 1024 * 1024;
const DIR = join(STATE_DIR, "bundle-size");

interface Build {
  label: string;
  ref: string;
  raw_bytes: number;
  gzip_bytes: number;
  /** wrangler's "Total Upload: … KiB / gzip: … KiB" line. */
  wrangler_total: string;
  contains_reference: boolean;
  file: string;
}

interface Samples {
  wall_ms: number[];
  cpu_ms: number[];
}

interface Stats {
  median: number;
  min: number;
  max: number;
}

export interface BundleResult {
  command: string;
  measured_at: string;
  machine: ReturnType<typeof machine>;
  loadavg_start: number;
  loadavg_end: number;
  rounds: number;
  builds: Build[];
  /** Per variant: workerd startup + first /health (and the one-line Worker's, "empty"). */
  workerd: Record<string, { wall: Stats; cpu: Stats; wall_over_empty: Stats; cpu_over_empty: Stats }>;
  node_import: Record<string, { wall: Stats; cpu: Stats }>;
}

const stats = (xs: number[]): Stats => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length / 2;
  const median = s.length % 2 ? (s[Math.floor(mid)] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return { median: round(median, 1), min: round(s[0] ?? Number.NaN, 1), max: round(s.at(-1) ?? Number.NaN, 1) };
};

const git = (args: string[], cwd = ROOT) => execFileSync("git", args, { cwd, encoding: "utf8" }).trim();

/** Text from the middle of the reference's bundle: the Worker's script must contain none of it. */
function referenceExcerpts(): string[] {
  const js = readFileSync(join(ROOT, "node_modules/@scalar/api-reference/dist/browser/standalone.js"), "utf8");
  return [0.25, 0.5, 0.75].map((f) => js.slice(Math.floor(js.length * f), Math.floor(js.length * f) + 120));
}

/** `wrangler deploy --dry-run` of a tree (the working tree, or a commit extracted with `git archive`). */
function buildAt(label: string, ref: string | null): Build {
  const out = join(DIR, label);
  rmSync(out, { recursive: true, force: true });
  let cwd = ROOT;
  if (ref) {
    cwd = join(DIR, `tree-${label}`);
    rmSync(cwd, { recursive: true, force: true });
    mkdirSync(cwd, { recursive: true });
    execFileSync("sh", ["-c", `git archive ${JSON.stringify(ref)} | tar -x -C ${JSON.stringify(cwd)}`], { cwd: ROOT });
    symlinkSync(join(ROOT, "node_modules"), join(cwd, "node_modules"));
  }
  // wrangler's [build] (scripts/build-assets.ts) runs first, in that tree.
  const log = execFileSync(join(ROOT, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", out], {
    cwd,
    env: offlineEnv,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
  const file = join(out, "index.js");
  const js = readFileSync(file);
  const text = js.toString("utf8");
  // ESM by extension, for Node's import().
  copyFileSync(file, join(out, "index.mjs"));
  return {
    label,
    ref: ref ?? `${git(["rev-parse", "--short", "HEAD"])} + working tree`,
    raw_bytes: statSync(file).size,
    gzip_bytes: gzipSync(js).length,
    wrangler_total: /Total Upload: ([^\n]+)/.exec(log)?.[1]?.trim() ?? "",
    contains_reference: referenceExcerpts().some((x) => text.includes(x)),
    file,
  };
}

const WORKERD_CHILD = `
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
const script = process.argv[2];
const t0 = performance.now();
const mf = new Miniflare(convertV4MiniflareOptions({
  name: "bench", modules: true, scriptPath: script, modulesRoot: dirname(script), compatibilityDate: "2026-11-01",
}));
const res = await mf.dispatchFetch("http://localhost/health");
await res.arrayBuffer();
const wall = performance.now() - t0;
await mf.dispose();
// utime stime cutime cstime (clock ticks): this process and its reaped children, workerd among them.
const f = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
const cpu = (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 10;
console.log(JSON.stringify({ status: res.status, wall, cpu }));
`;

const NODE_CHILD = `
const url = new URL("file://" + process.argv[2]);
const c0 = process.cpuUsage();
const t0 = performance.now();
const mod = await import(url.href);
const wall = performance.now() - t0;
const c = process.cpuUsage(c0);
if (typeof mod.default?.fetch !== "function") throw new Error("no fetch handler");
console.log(JSON.stringify({ wall, cpu: (c.user + c.system) / 1000 }));
`;

function sample(child: string, arg: string): { wall: number; cpu: number } {
  const res = spawnSync(process.execPath, [child, arg], {
    cwd: ROOT,
    env: { ...offlineEnv, NODE_COMPILE_CACHE: "", NODE_OPTIONS: "" },
    encoding: "utf8",
    timeout: 180_000,
  });
  const line = res.stdout.trim().split("\n").pop() ?? "";
  if (res.status !== 0 || !line.startsWith("{")) throw new Error(`${child} ${arg}: ${res.stderr || res.stdout}`);
  const r = JSON.parse(line) as { wall: number; cpu: number; status?: number };
  if (r.status !== undefined && r.status !== 200) throw new Error(`${arg}: /health answered ${r.status}`);
  return r;
}

export function measure(opts: { before: string | null; now: string | null; rounds: number }): BundleResult {
  const loadStart = loadavg1();
  mkdirSync(DIR, { recursive: true });
  const builds: Build[] = [];
  if (opts.before) builds.push(buildAt("before", git(["rev-parse", opts.before])));
  builds.push(buildAt("now", opts.now ? git(["rev-parse", opts.now]) : null));
  for (const b of builds) console.log(`${b.label}: ${b.raw_bytes} B raw, ${b.gzip_bytes} B gzip (${b.ref})`);

  const empty = join(DIR, "empty", "index.mjs");
  mkdirSync(join(DIR, "empty"), { recursive: true });
  writeFileSync(empty, 'export default { fetch() { return new Response("ok"); } };\n');
  const workerdChild = join(DIR, "workerd-child.mjs");
  const nodeChild = join(DIR, "node-child.mjs");
  writeFileSync(workerdChild, WORKERD_CHILD);
  writeFileSync(nodeChild, NODE_CHILD);

  const variants = [{ label: "empty", file: empty }, ...builds.map((b) => ({ label: b.label, file: b.file }))];
  const wd = new Map<string, Samples>(variants.map((v) => [v.label, { wall_ms: [], cpu_ms: [] }]));
  const nd = new Map<string, Samples>(builds.map((b) => [b.label, { wall_ms: [], cpu_ms: [] }]));
  for (let r = 0; r < opts.rounds; r++) {
    const order = variants.map((_, i) => variants[(i + r) % variants.length] as (typeof variants)[number]);
    for (const v of order) {
      const w = sample(workerdChild, v.file);
      wd.get(v.label)?.wall_ms.push(w.wall);
      wd.get(v.label)?.cpu_ms.push(w.cpu);
      if (v.label === "empty") continue;
      const n = sample(nodeChild, v.file.replace(/\.js$/, ".mjs"));
      nd.get(v.label)?.wall_ms.push(n.wall);
      nd.get(v.label)?.cpu_ms.push(n.cpu);
    }
    console.log(`round ${r + 1}/${opts.rounds} (load ${loadavg1()})`);
  }

  const emptyS = wd.get("empty") as Samples;
  const over = (xs: number[], base: number[]) => xs.map((x, i) => x - (base[i] as number));
  const workerd: BundleResult["workerd"] = {};
  for (const [label, s] of wd) {
    workerd[label] = {
      wall: stats(s.wall_ms),
      cpu: stats(s.cpu_ms),
      wall_over_empty: stats(over(s.wall_ms, emptyS.wall_ms)),
      cpu_over_empty: stats(over(s.cpu_ms, emptyS.cpu_ms)),
    };
  }
  const node_import: BundleResult["node_import"] = {};
  for (const [label, s] of nd) node_import[label] = { wall: stats(s.wall_ms), cpu: stats(s.cpu_ms) };
  return {
    command: commandLine(import.meta.filename),
    measured_at: new Date().toISOString(),
    machine: machine(),
    loadavg_start: loadStart,
    loadavg_end: loadavg1(),
    rounds: opts.rounds,
    builds: builds.map((b) => ({ ...b, file: relative(ROOT, b.file) })),
    workerd,
    node_import,
  };
}

const START = "<!-- bundle:start -->";
const END = "<!-- bundle:end -->";
const kib = (b: number) => (b / 1024).toLocaleString("en", { maximumFractionDigits: 0 });
const ms = (n: number) => n.toLocaleString("en", { maximumFractionDigits: 0 });
const ratio = (now: number, before: number) => (now / before).toFixed(2);

/** Section 10 of bench/RESULTS.md from a result. */
export function bundleSection(r: BundleResult): string {
  const before = r.builds.find((b) => b.label === "before");
  const now = r.builds.find((b) => b.label === "now") as Build;
  const cols = before ? ["before", "now"] : ["now"];
  const head = `| | ${cols.map((c) => (c === "before" ? `before (${before?.ref.slice(0, 7)})` : `now (${/^[0-9a-f]{40}$/.test(now.ref) ? now.ref.slice(0, 7) : now.ref})`)).join(" | ")} |${before ? " now ÷ before |" : ""}`;
  const sep = `| --- |${cols.map(() => " ---: |").join("")}${before ? " ---: |" : ""}`;
  const row = (name: string, pick: (label: string) => number, fmt: (n: number) => string) => {
    const vals = cols.map(pick);
    return `| ${name} | ${vals.map(fmt).join(" | ")} |${before ? ` ${ratio(vals[1] as number, vals[0] as number)} |` : ""}`;
  };
  const b = (label: string) => r.builds.find((x) => x.label === label) as Build;
  const wd = (label: string) => r.workerd[label] as BundleResult["workerd"][string];
  const nd = (label: string) => r.node_import[label] as BundleResult["node_import"][string];
  const rawOk = now.raw_bytes <= RAW_TARGET;
  const loadVerdict = before
    ? (() => {
        const w = wd("now").wall_over_empty.median / wd("before").wall_over_empty.median;
        const c = wd("now").cpu_over_empty.median / wd("before").cpu_over_empty.median;
        const n = nd("now").cpu.median / nd("before").cpu.median;
        const ok = w <= 0.5 && c <= 0.5 && n <= 0.5;
        return `module load ≤ 0.5× before: **${ok ? "met" : "missed"}** (workerd wall ${w.toFixed(2)}×, workerd CPU ${c.toFixed(2)}×, V8 import CPU ${n.toFixed(2)}×)`;
      })()
    : "";
  const lines = [
    START,
    "## 10. Worker script size and module load — `npx tsx bench/bundle.ts`",
    "",
    `**Scenario.** ${r.measured_at}, ${r.rounds} rounds, load average ${r.loadavg_start} → ${r.loadavg_end} (${r.machine.nproc} cores, ${r.machine.node}, ${r.machine.wrangler}). ` +
      `Each tree bundled by \`wrangler deploy --dry-run\`: now = ${/^[0-9a-f]{40}$/.test(now.ref) ? `commit ${now.ref.slice(0, 7)}` : `the working tree (${now.ref})`}` +
      `${before ? `, before = commit ${before.ref.slice(0, 7)}, the last whose Worker held the API reference's script as a string` : ""}` +
      " (commits extracted with `git archive`). Load times are medians of one fresh " +
      "process per sample, the variants interleaved in each round: **workerd** = `new Miniflare()` on the bundle " +
      "until its first `GET /health` answers (workerd compiles and evaluates the modules at startup), minus the same " +
      "for a one-line Worker in that round; **V8** = `await import()` of the bundle in a fresh Node process.",
    "",
    head,
    sep,
    row("index.js raw, KiB", (l) => b(l).raw_bytes, kib),
    row("index.js gzip (node:zlib), KiB", (l) => b(l).gzip_bytes, kib),
    `| wrangler "Total Upload" | ${cols.map((l) => b(l).wrangler_total).join(" | ")} |${before ? " |" : ""}`,
    `| contains the reference's text | ${cols.map((l) => (b(l).contains_reference ? "yes" : "no")).join(" | ")} |${before ? " |" : ""}`,
    row("workerd: start + first /health − empty Worker's, wall ms", (l) => wd(l).wall_over_empty.median, ms),
    row("workerd: the same, CPU ms (workerd + Miniflare)", (l) => wd(l).cpu_over_empty.median, ms),
    row("workerd: start + first /health, wall ms (not minus)", (l) => wd(l).wall.median, ms),
    row("V8 `import()`, wall ms", (l) => nd(l).wall.median, ms),
    row("V8 `import()`, CPU ms", (l) => nd(l).cpu.median, ms),
    "",
    `Ranges (min–max): ${cols
      .map(
        (l) =>
          `${l}: workerd − empty ${ms(wd(l).wall_over_empty.min)}–${ms(wd(l).wall_over_empty.max)} ms wall, ` +
          `${ms(wd(l).cpu_over_empty.min)}–${ms(wd(l).cpu_over_empty.max)} ms CPU; V8 import ${ms(nd(l).wall.min)}–${ms(nd(l).wall.max)} ms wall, ` +
          `${ms(nd(l).cpu.min)}–${ms(nd(l).cpu.max)} ms CPU`,
      )
      .join("; ")}. The one-line Worker: ${ms(wd("empty").wall.median)} ms wall, ${ms(wd("empty").cpu.median)} ms CPU.`,
    "",
    `**Targets.** Worker script ≤ 1.6 MiB raw: **${rawOk ? "met" : "missed"}** (${(now.raw_bytes / 1048576).toFixed(2)} MiB)${loadVerdict ? `; ${loadVerdict}` : ""}. ` +
      "The API reference's script is now a static asset (assets/docs/, with its `_headers`) served before the Worker, so " +
      "no isolate — API, cron tick or queue consumer — parses it. CPU figures are steadier than wall time on this " +
      "shared machine; both include process start-up that the subtraction or the timer leaves out only in part.",
    END,
  ];
  return lines.join("\n");
}

/** The markdown with section 10 replaced (or inserted after section 9, else before "## Reproduce"). */
export function spliceBundle(markdown: string, r: BundleResult): string {
  const text = bundleSection(r);
  const start = markdown.indexOf(START);
  const end = markdown.indexOf(END);
  if (start >= 0 && end > start) return markdown.slice(0, start) + text + markdown.slice(end + END.length);
  const scaleEnd = markdown.indexOf(SCALE_END);
  if (scaleEnd >= 0) {
    const at = scaleEnd + SCALE_END.length;
    return `${markdown.slice(0, at)}\n\n${text}${markdown.slice(at)}`;
  }
  const at = markdown.indexOf("## Reproduce");
  return at >= 0 ? `${markdown.slice(0, at)}${text}\n\n${markdown.slice(at)}` : `${markdown}\n${text}\n`;
}

async function main() {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const file = join(ROOT, "bench/RESULTS.md");
  if (process.argv.includes("--report")) {
    // Section 10 again from the last result, without measuring.
    const last = readResult<BundleResult>("bundle");
    if (!last) throw new Error("--report: run bench/bundle.ts first");
    writeFileSync(file, spliceBundle(readFileSync(file, "utf8"), last));
    return;
  }
  const beforeArg = arg("--before") ?? DEFAULT_BEFORE;
  const rounds = Number(arg("--rounds") ?? 11);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error("--rounds takes a positive integer");
  const result = measure({ before: beforeArg === "none" ? null : beforeArg, now: arg("--now") ?? null, rounds });
  writeResult("bundle", result);
  if (existsSync(file)) writeFileSync(file, spliceBundle(readFileSync(file, "utf8"), result));
  console.log(bundleSection(result));
  if (result.builds.find((b) => b.label === "now")?.contains_reference) {
    console.error("the Worker's script contains the API reference's text");
    process.exitCode = 1;
  }
}

if (isMain(import.meta.filename)) await main();
