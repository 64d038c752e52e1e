/**
 * A first `npm start` (fresh state) and a restart, each until /health answers, as multiples of a CPU baseline (400,000
 * chained SHA-256 digests) taken before, between and after, so the machine's load cancels. `--repo` measures another
 * checkout (a scratch clone of an older commit); a checkout whose npm start lacks --persist-to loses its state first.
 *   npx tsx bench/first-start.ts [--repo <dir>] [--label <text>] [--smoke]
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as h from "./lib/harness";

const TARGETS = { first: 40, restart: 15 };

function baselineMs() {
  const t = h.now();
  let d = Buffer.alloc(32);
  for (let i = 0; i < 400_000; i++) d = createHash("sha256").update(d).digest();
  return h.now() - t;
}

/** One `npm start` until /health answers, then stopped by its process group. */
async function timeStart(repo: string, args: string[], devFile: string) {
  const port = await h.freePort();
  const t0 = h.now();
  const lines: Array<{ t: number; line: string }> = [];
  const onLine = (line: string) => line.trim() && lines.push({ t: h.round((h.now() - t0) / 1000, 1), line });
  const spawned = { onLine, cwd: repo, env: { EDGECRON_DEV_FILE: devFile } };
  const { child, stop } = h.spawnGroup("npm", ["start", "--", "--port", String(port), ...args], spawned);
  const ok = async (r: Response) =>
    r.status === 200 && ((await r.json()) as { service?: string }).service === "edgecron";
  const output = () => lines.map((l) => l.line);
  try {
    await h.untilAnswers(`http://127.0.0.1:${port}/health`, child, { ms: 900_000, pollMs: 100, ok, output });
    const timing = {
      health_s: h.round((h.now() - t0) / 1000, 1),
      cpu_s: h.round(h.groupCpuMs(child.pid as number) / 1000, 1),
    };
    await h.sleep(1_000); // not timed: the line naming the URL, so the lines show when it came
    // npm start's own lines up to its URL (wrangler's left out, but for its "Ready on").
    const own =
      /^(Starting wrangler dev|Applying|Adopting|Seeding|Local D1|Demo account|edgecron is (running|starting) on|\[wrangler:info\] Ready on)/;
    return { ...timing, lines: lines.filter((l) => own.test(l.line)) };
  } finally {
    await stop(20_000);
  }
}

const repo = resolve(h.arg("repo", h.ROOT));
const scratch = mkdtempSync(join(tmpdir(), "edgecron-first-start-"));
let args: string[] = ["--persist-to", join(scratch, "state")];
if (!readFileSync(join(repo, "scripts/start.ts"), "utf8").includes('"persist-to"')) {
  if (realpathSync(repo) === realpathSync(h.ROOT)) throw new Error("this checkout's npm start has no --persist-to");
  rmSync(join(repo, ".wrangler/state"), { recursive: true, force: true });
  args = [];
}
const commit = h.git(["rev-parse", "--short", "HEAD"], repo);
const loadavgStart = h.loadavg1();
const baselines = [baselineMs()];
const first = await timeStart(repo, args, join(scratch, "dev-server.json"));
baselines.push(baselineMs());
const restart = await timeStart(repo, args, join(scratch, "dev-server.json"));
baselines.push(baselineMs());
rmSync(scratch, { recursive: true, force: true });
const baseline_ms = h.round(h.median(baselines), 0);
const state = args.length ? "npm start -- --persist-to <empty temp dir>" : "the clone's .wrangler/state removed first";
const label = h.arg("label", `HEAD ${commit}`);
const x = (t: { health_s: number }) => h.round((t.health_s * 1000) / baseline_ms, 1);
const loadavg = [loadavgStart, h.loadavg1()];
const run = { label, commit, state, loadavg, baseline_ms, first, restart, first_x: x(first), restart_x: x(restart) };
// Runs of other checkouts (labels) are kept: the table compares them.
const runs = [
  ...(h.readResult<{ runs: Array<typeof run> }>("first-start")?.runs ?? []).filter((r) => r.label !== run.label),
  run,
];
const met = (v: number, target: number) => `${v} × (${v <= target ? "met" : "**missed**"})`;
h.writeResult("first-start", { runs }, [
  h.table("First npm start and restart, as multiples of the CPU baseline", runs, [
    ["Run", (r) => r.label],
    ["commit", (r) => r.commit],
    ["baseline ms", (r) => r.baseline_ms],
    ["first start s", (r) => r.first.health_s],
    ["× baseline", (r) => met(r.first_x, TARGETS.first)],
    ["restart s", (r) => r.restart.health_s],
    ["× baseline", (r) => met(r.restart_x, TARGETS.restart)],
    ["CPU first / restart s", (r) => `${r.first.cpu_s} / ${r.restart.cpu_s}`],
    ["load avg", (r) => r.loadavg.join(" → ")],
  ]),
]);
