/**
 * A first `npm start` (fresh state) and a restart, each until /health answers, as multiples of a CPU baseline (400,000
 * chained SHA-256 digests) taken before, between and after, so the machine's load cancels. `--repo` measures another
 * checkout (a scratch clone of an older commit); a checkout whose npm start lacks --persist-to loses its state first.
 *   npx tsx bench/first-start.ts [--repo <dir>] [--label <text>] [--smoke]
 */
import { type ChildProcess, spawn } from "node:child_process";
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

const running = new Set<ChildProcess>();
const kill = (c: ChildProcess, signal: NodeJS.Signals) => {
  if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) process.kill(-c.pid, signal);
};
process.on("exit", () => {
  for (const c of running) kill(c, "SIGKILL");
});

/** One `npm start` until /health answers, then stopped by its process group. */
async function timeStart(repo: string, args: string[], devFile: string) {
  const port = await h.freePort();
  const t0 = h.now();
  const child = spawn("npm", ["start", "--", "--port", String(port), ...args], {
    cwd: repo,
    env: { ...h.offlineEnv, EDGECRON_DEV_FILE: devFile, FORCE_COLOR: "0", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  running.add(child);
  const lines: Array<{ t: number; line: string }> = [];
  const onData = (buf: Buffer) => {
    for (const line of buf
      .toString()
      .split("\n")
      .filter((l) => l.trim()))
      lines.push({ t: h.round((h.now() - t0) / 1000, 1), line });
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise((r) => child.once("exit", r));
  const healthy = () =>
    fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(30_000) }).then(
      async (r) => r.status === 200 && ((await r.json()) as { service?: string }).service === "edgecron",
      () => false,
    );
  try {
    while (!(await healthy())) {
      if (child.exitCode !== null)
        throw new Error(`npm start exited (${child.exitCode}):\n${lines.map((l) => l.line).join("\n")}`);
      if (h.now() - t0 > 900_000) throw new Error("npm start did not answer /health within 900 s");
      await h.sleep(100);
    }
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
    kill(child, "SIGTERM");
    await Promise.race([exited, h.sleep(20_000)]);
    kill(child, "SIGKILL");
    running.delete(child);
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
const baseline = h.round(h.median(baselines), 0);
const state = args.length ? "npm start -- --persist-to <empty temp dir>" : "the clone's .wrangler/state removed first";
const label = h.arg("label", `HEAD ${commit}`);
const x = (t: { health_s: number }) => h.round((t.health_s * 1000) / baseline, 1);
const loadavg = [loadavgStart, h.loadavg1()];
const run = {
  label,
  commit,
  state,
  loadavg,
  baseline_ms: baseline,
  first,
  restart,
  first_x: x(first),
  restart_x: x(restart),
};
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
