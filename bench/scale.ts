/**
 * The dispatch tick per shard at a million jobs over 1, 4 and 16 shards (every 10th due, no edgecron-runs consumer:
 * the tick alone). CPU per invocation runs from the end of the previous one (miniflare's `QUEUE edgecron-ticks` line);
 * lines go to shards by queue order, checked against each file's ledger rows.
 *   npx tsx bench/scale.ts [--jobs 1000000] [--shards 1,4,16] [--smoke]
 */
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { newAccount } from "../src/accounts/provision";
import { mulberry32 } from "../src/engine/executors/mock";
import type { TickReport } from "../src/engine/tick-report";
import { buildNewJob, type NewJobRow } from "../src/jobs/build";
import { chooseShard } from "../src/shards/placement";
import * as h from "./lib/harness";
import { jobInput, jobInsert } from "./lib/seed";
import { withDev } from "./lib/wrangler-dev";

const JOBS = Number(h.arg("jobs", String(h.size(1_000_000, 2_000))));
const DIR = join(h.STATE_DIR, "scale");

/** A fresh state of `shards` shards (one on disk at a time: ≈ 1 GB per million jobs). */
async function seed(shards: number) {
  rmSync(DIR, { recursive: true, force: true });
  const config = h.benchWranglerConfig({ limiter: "as-is", shards, runsConsumer: false });
  const files = await h.migrateBench(DIR, config.path);
  const [created, dueBy, r] = [Date.now() - 7 * h.DAY_MS, Date.now(), mulberry32(12)];
  // 60 template rows of the seed's mix; each job one of them with its own id, account and next_run_at.
  const templates = Array.from({ length: 60 }, (_, i) => buildNewJob("template", jobInput(r, i), created));
  const [control, dbs] = [h.openDb(files.control), files.shards.map((f) => h.openDb(f))];
  for (const db of [control, ...dbs]) db.exec("PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; BEGIN");
  const inserts = dbs.map((db) => db.prepare(jobInsert(templates[0] as NewJobRow & Record<string, unknown>).sql));
  const per = Array.from({ length: shards }, () => ({ accounts: 0, jobs: 0, due: 0 }));
  let [shard, account] = [0, ""];
  for (let i = 0; i < JOBS; i++) {
    if (i % 100 === 0) {
      const acc = await newAccount(`Scale account ${i / 100}`, created);
      [shard, account] = [chooseShard(per.map((p) => p.accounts)), acc.account_id];
      for (const s of acc.shardStatements) dbs[shard]?.prepare(s.sql).run(...s.params);
      for (const s of acc.controlStatements(shard)) control.prepare(s.sql).run(...s.params);
    }
    const p = per[shard] as (typeof per)[number];
    const due = i % 10 === 0; // due in the last minute; the others 1 h to 1 day ahead
    const nextRunAt = due ? dueBy - 60_000 + Math.floor(r() * 59_000) : dueBy + 3_600_000 + Math.floor(r() * h.DAY_MS);
    inserts[shard]?.run(
      ...jobInsert({ ...(templates[i % 60] as NewJobRow), id: randomUUID(), accountId: account, nextRunAt }).params,
    );
    [p.accounts, p.jobs, p.due] = [p.accounts + (i % 100 === 0 ? 1 : 0), p.jobs + 1, p.due + (due ? 1 : 0)];
  }
  for (const db of [control, ...dbs]) db.exec("COMMIT");
  for (const db of [control, ...dbs]) db.close();
  return { files, config, per, dueBy };
}

const bundle = h.ensureBundle();
const layouts = [];
for (const shards of h.arg("shards", h.size("1,4,16", "1,4")).split(",").map(Number)) {
  const s = await seed(shards);
  const m = await withDev({ config: s.config.path, persistTo: DIR }, async (dev) => {
    const ticks: Array<TickReport & { cpu: number }> = [];
    const ends: number[] = [];
    const [cpu0, loadavg, t0] = [h.groupCpuMs(dev.pgid), h.loadavg1(), h.now()];
    // Every line as it arrives: CPU is read at the line, not at a poll.
    const onLine = (raw: string) => {
      const line = stripVTControlCharacters(raw);
      const tick =
        line.includes('"event":"dispatch_tick"') && (JSON.parse(line.slice(line.indexOf("{"))) as TickReport);
      if (tick) ticks.push({ ...tick, cpu: h.groupCpuMs(dev.pgid) });
      if (/QUEUE edgecron-ticks \d+\/\d+/.test(line)) ends.push(h.groupCpuMs(dev.pgid));
      return ticks.filter((x) => x.complete).length === shards && ends.length >= ticks.length;
    };
    const done = dev.waitForLine(onLine, h.size(900_000, 120_000));
    await fetch(`${dev.base}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*`);
    await done;
    const order = Array.from({ length: shards }, (_, i) => i);
    let prev = cpu0;
    const invocations = ticks.map((x, i) => {
      const shard = order.shift() as number;
      if (!x.complete) order.push(shard);
      const cpu = (ends[i] ?? x.cpu) - prev;
      prev = ends[i] ?? x.cpu;
      const d1Queries = x.pages + Math.ceil(x.due / 100) + (x.complete ? 2 : 0);
      return {
        shard,
        claimed: x.claimed,
        pages: x.pages,
        duration_ms: x.duration_ms,
        cpu_ms: cpu,
        d1_queries: d1Queries,
      };
    });
    const [cpu_ms, wall_s] = [h.groupCpuMs(dev.pgid) - cpu0, h.round((h.now() - t0) / 1000, 1)];
    return { invocations, cpu_ms, wall_s, loadavg: `${loadavg} → ${h.loadavg1()}` };
  });
  const perShard = s.files.shards.map((file, shard) => {
    const mine = m.invocations.filter((i) => i.shard === shard);
    const [claimed, cpu] = [mine.reduce((a, i) => a + i.claimed, 0), mine.reduce((a, i) => a + i.cpu_ms, 0)];
    const due = "SELECT count(*) AS n FROM cron_jobs WHERE is_active = 1 AND deleted_at IS NULL AND next_run_at <= ?";
    const d1 = { ledger: h.scalar(file, "SELECT count(*) AS n FROM runs"), still_due: h.scalar(file, due, s.dueBy) };
    const pages = h.sum(mine.map((i) => i.pages));
    const inv = { invocations: mine.length, pages, max_d1_queries: Math.max(0, ...mine.map((i) => i.d1_queries)) };
    return {
      shards,
      shard,
      ...s.per[shard],
      claimed,
      ...d1,
      ...inv,
      cpu_ms: cpu,
      cpu_per_job: h.round(cpu / claimed, 3),
    };
  });
  const sum = (k: "due" | "claimed" | "ledger") => perShard.reduce((a, p) => a + (p[k] ?? 0), 0);
  const max = Math.max(...perShard.map((p) => p.max_d1_queries));
  layouts.push({
    shards,
    ...m,
    due: sum("due"),
    claimed: sum("claimed"),
    ledger: sum("ledger"),
    max_d1_queries: max,
    per_shard: perShard,
  });
}
rmSync(DIR, { recursive: true, force: true });

// Jobs claimed per second of dispatch_tick time, all layouts: an input of the capacity derivation in RESULTS.md.
const invocations = layouts.flatMap((l) => l.invocations);
const tickSeconds = h.sum(invocations.map((i) => i.duration_ms)) / 1000;
const tickRate = Math.round(h.sum(invocations.map((i) => i.claimed)) / tickSeconds);
type Layout = (typeof layouts)[number];
type Shard = Layout["per_shard"][number];
type Column = keyof Shard;
const COLUMNS: Column[] = ["shards", "shard", "jobs", "due", "claimed", "ledger", "still_due", "invocations", "pages"];
h.writeResult("scale", { bundle, tick_jobs_per_s: tickRate, layouts }, [
  h.table("Dispatch tick per shard (no edgecron-runs consumer: the tick alone)", layouts, [
    ["shards", (l: Layout) => l.shards],
    ["due", (l) => l.due],
    ["claimed (ledger rows in D1)", (l) => `${l.claimed} (${l.ledger})`],
    ["tick invocations", (l) => l.invocations.length],
    ["max D1 queries / invocation", (l) => l.max_d1_queries],
    ["CPU ms per claimed job", (l) => h.round(l.cpu_ms / l.claimed, 3)],
    ["CPU s", (l) => h.round(l.cpu_ms / 1000, 1)],
    ["wall s", (l) => l.wall_s],
    ["slowest invocation ms", (l) => Math.max(...l.invocations.map((i) => i.duration_ms))],
    ["attribution matches the ledger", (l) => l.per_shard.every((p) => p.claimed === p.ledger)],
    ["load avg", (l) => l.loadavg],
  ]),
  h.table(
    "Per shard (invocations include continuations)",
    layouts.flatMap((l) => l.per_shard),
    [
      ...COLUMNS.map((k): [string, (p: Shard) => number | undefined] => [k.replace(/_/g, " "), (p) => p[k]]),
      ["max D1 queries / invocation", (p) => p.max_d1_queries],
      ["CPU ms", (p) => p.cpu_ms],
      ["CPU ms per claimed job", (p) => p.cpu_per_job],
    ],
  ),
]);
