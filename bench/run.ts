/**
 * `npm run bench [-- <name> …] [--smoke]`: the benchmarks (default all, in order), each in its own process after one
 * frozen Worker bundle; figures in bench/results/, the analysis by hand in bench/RESULTS.md.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ensureBundle, loadavg1, machine, now, offlineEnv, ROOT, round, SMOKE, writeResult } from "./lib/harness";

const STEPS: Record<string, string> = {
  seed: "bench/seed-million.ts",
  "logs-load": "bench/logs-load.ts",
  sweep: "bench/sweep.ts",
  tick: "bench/tick.ts",
  monitors: "bench/monitors.ts",
  export: "bench/export.ts",
  soak: "bench/soak.ts",
  "ledger-load": "bench/ledger-load.ts",
  // Three log layouts × four body profiles at a million logs, then reads: the longest, over half an hour.
  "log-store": "bench/log-store.ts",
  "filter-reads": "bench/filter-reads.ts",
  "bundle-size": "bench/bundle.ts",
  "first-start": "bench/first-start.ts",
  // Last: it seeds states of its own.
  scale: "bench/scale.ts",
};
const asked = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const unknown = asked.filter((a) => !(a in STEPS));
if (unknown.length)
  throw new Error(`unknown benchmark(s) ${unknown.join(", ")}; known: ${Object.keys(STEPS).join(", ")}`);
const names = asked.length ? asked : Object.keys(STEPS);
const started = new Date().toISOString();
const loadavgStart = loadavg1();
const steps: Array<{ name: string; ok: boolean; seconds: number }> = [];
for (const name of names) {
  // One bundle for every step after the seed (which wipes the bench's state).
  if (name !== "seed" && !steps.some((s) => s.name === "bundle")) {
    const t = now();
    console.log(`\n▶ bundle (HEAD ${ensureBundle().git_head})`);
    steps.push({ name: "bundle", ok: true, seconds: round((now() - t) / 1000, 1) });
  }
  console.log(`\n▶ ${name}: npx tsx ${STEPS[name]}${SMOKE ? " --smoke" : ""}`);
  const t = now();
  const res = spawnSync(join(ROOT, "node_modules/.bin/tsx"), [STEPS[name] as string, ...(SMOKE ? ["--smoke"] : [])], {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...offlineEnv, NODE_OPTIONS: "--disable-warning=ExperimentalWarning", BENCH_BUNDLE_READY: "1" },
  });
  steps.push({ name, ok: res.status === 0, seconds: round((now() - t) / 1000, 1) });
  if (res.status !== 0) console.error(`✗ ${name} failed (exit ${res.status ?? res.signal})`);
  if (res.status !== 0 && name === "seed") break; // nothing else runs without the seed
}
writeResult("run", {
  started,
  finished: new Date().toISOString(),
  machine: machine(),
  loadavg: [loadavgStart, loadavg1()],
  steps,
});
if (steps.some((s) => !s.ok)) process.exitCode = 1;
