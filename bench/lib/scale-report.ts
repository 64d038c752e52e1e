/**
 * RESULTS.md's section 9 (bench/scale.ts: the dispatch tick per shard at a million jobs) and the capacity derivation
 * behind the README's capacity table: measured figures of this and earlier runs, Cloudflare's documented limits, and
 * the arithmetic between them, so that the table can be re-derived when a figure changes.
 */
import type { ScaleResult } from "../scale";
import { readResult } from "./common";

export const SCALE_START = "<!-- scale:start (bench/scale.ts; npm run bench -- --section scale) -->";
export const SCALE_END = "<!-- scale:end -->";

const fmt = (n: number | null | undefined, digits = 0) =>
  n === null || n === undefined || Number.isNaN(n)
    ? "—"
    : n.toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/**
 * Cloudflare limits the derivation uses (Workers Paid), each as its documentation page states it (checked 2026-11-30):
 * D1 https://developers.cloudflare.com/d1/platform/limits/ ; Queues https://developers.cloudflare.com/queues/platform/limits/
 */
export const LIMITS = {
  d1DatabaseBytes: 10e9, // "Maximum database size 10 GB"
  d1AccountBytes: 1e12, // "Maximum storage per account 1 TB" (footnoted on the page; the brief: raisable on request)
  d1DatabasesPerAccount: 50_000, // "Databases per account 50,000 (Workers Paid)" (page of Apr 21, 2026)
  bindingsPerWorker: 5_000, // "Maximum bindings per Workers script Approximately 5,000"
  queriesPerInvocation: 1_000, // "Queries per Worker invocation (read subrequest limits) 1000"
  queueMessagesPerSecond: 5_000, // "Per-queue message throughput 5,000 messages per second"
  concurrentConsumerInvocations: 250, // "Concurrent consumer invocations 250 push-based only"
  queuesPerAccount: 10_000, // "Queues 10,000 per account"
};

/** Figures measured elsewhere that the derivation takes as inputs (source named in the text). */
export const INPUTS = {
  /**
   * D1 rows written per steady-state execution, compact logs and run ledger included: test/shards/rows-written.test.ts
   * (README, Shards). 18 with the first ledger and the old log table (section 7).
   */
  rowsWrittenPerExecution: 12,
  /**
   * The Worker's retention sweep, rows deleted per second locally, when bench/sweep.ts has no results JSON: its run
   * on the schema before compact logs (RESULTS.md section 3 of 2026-11-29). sweepInput() prefers the JSON.
   */
  sweepRowsPerSecond: 18_536,
  /** Logs kept: 30 days of retention plus up to one day before the daily sweep removes them. */
  retentionDays: 31,
  /** Share of a shard's 10 GB that logs may fill (the rest: jobs, ledger, counts, headroom for a move). */
  fill: 0.8,
  /** Runs per consumer invocation in flight (wrangler.toml: max_batch_size 4, all at once). */
  runsPerInvocation: 4,
  /** Assumed mean run duration (s) for the consumer-concurrency bound: an assumption, not a measurement. */
  meanRunSeconds: 1,
  /** The design point (executions per minute, whole service). */
  designPerMinute: 1_000_000,
};

export interface Capacity {
  bytesPerLog: number;
  logsPerShard: number;
  executionsPerMinutePerShard: number;
  sweepSecondsPerDayPerShard: number;
  shards: number;
  accountBytes: number;
  queuesByRate: number;
  queuesByConcurrency: number;
  runQueues: number;
  dueJobsPerShardTick: number;
  tickQueriesPerShard: number;
  rowsWrittenPerSecond: number;
  bindings: number;
}

/**
 * Bytes per log (indexes and day counts included), from bench/log-storage.ts's SQLite dbstat measurement of its
 * logs (its results JSON when present, else the figures of its RESULTS.md section, 2026-11-30): before and after
 * issue 12's compact storage, with the mock executor's bodies (55.8 B on average); and the compact row with bodies at
 * the 1 KB cap, derived (without-bodies figure + 1,000 B, a lower bound: page overhead comes on top).
 */
export function logSizes(): Array<{ label: string; bytes: number; source: string; rowsWritten: number }> {
  const m = readResult<{ bytes: Record<string, { bytes_per_log: number }> }>("log-storage")?.bytes;
  const before = m?.old_with_bodies?.bytes_per_log ?? 849.8;
  const compact = m?.compact_with_bodies?.bytes_per_log ?? 287.7;
  const bare = m?.compact?.bytes_per_log ?? 151.6;
  return [
    // Rows written per execution: 18 before (first ledger, old log table: section 7), 12 compact (INPUTS).
    { label: `before issue 12, mock bodies (${before} B)`, bytes: before, source: "measured", rowsWritten: 18 },
    {
      label: `compact, mock bodies (${compact} B)`,
      bytes: compact,
      source: "measured",
      rowsWritten: INPUTS.rowsWrittenPerExecution,
    },
    {
      label: `compact, 1 KB bodies (≥ ${fmt(round1(bare + 1000), 1)} B)`,
      bytes: bare + 1000,
      source: "derived",
      rowsWritten: INPUTS.rowsWrittenPerExecution,
    },
  ];
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** The sweep rate the derivation uses (rows/s): bench/sweep.ts's last results (section 3), else INPUTS' figure. */
export function sweepInput(): { rowsPerSecond: number; source: string } {
  const w = readResult<{ worker?: { rows_per_s?: number } | null }>("sweep")?.worker;
  return typeof w?.rows_per_s === "number" && w.rows_per_s > 0
    ? { rowsPerSecond: w.rows_per_s, source: "the Worker's sweep on the compact log table, section 3" }
    : {
        rowsPerSecond: INPUTS.sweepRowsPerSecond,
        source: "the Worker's sweep, measured on the schema before compact logs (section 3 of an earlier run)",
      };
}

/** How many logs bench/log-storage.ts measured (its results JSON), else its earlier run's 200,000. */
const measuredLogs = () => readResult<{ logs?: number }>("log-storage")?.logs ?? 200_000;

/** The capacity model at a given log size (bytes per log, indexes included). */
export function capacity(bytesPerLog: number, rowsWritten = INPUTS.rowsWrittenPerExecution): Capacity {
  const i = INPUTS;
  const logsPerShard = (LIMITS.d1DatabaseBytes * i.fill) / bytesPerLog;
  const executionsPerMinutePerShard = logsPerShard / (i.retentionDays * 1440);
  const shards = Math.ceil(i.designPerMinute / executionsPerMinutePerShard);
  const perSecond = i.designPerMinute / 60;
  const queuesByRate = Math.ceil(perSecond / LIMITS.queueMessagesPerSecond);
  const inFlightPerQueue = LIMITS.concurrentConsumerInvocations * i.runsPerInvocation;
  const queuesByConcurrency = Math.ceil(perSecond / (inFlightPerQueue / i.meanRunSeconds));
  const runQueues = Math.max(queuesByRate, queuesByConcurrency);
  const dueJobsPerShardTick = Math.ceil(i.designPerMinute / shards);
  const pages = Math.ceil(dueJobsPerShardTick / 100) + 1; // the last, short or empty, page
  return {
    bytesPerLog,
    logsPerShard,
    executionsPerMinutePerShard,
    sweepSecondsPerDayPerShard: (executionsPerMinutePerShard * 1440) / sweepInput().rowsPerSecond,
    shards,
    accountBytes: i.designPerMinute * 1440 * i.retentionDays * bytesPerLog,
    queuesByRate,
    queuesByConcurrency,
    runQueues,
    dueJobsPerShardTick,
    tickQueriesPerShard: pages + Math.ceil(dueJobsPerShardTick / 100) + 2,
    rowsWrittenPerSecond: perSecond * rowsWritten,
    // DB + SHARD_n + one producer binding per run queue + TICKS + EMAIL + RATE_LIMITER
    bindings: 1 + shards + runQueues + 3,
  };
}

const tb = (b: number) => `${fmt(b / 1e12, 1)} TB`;

/** Section 9 of RESULTS.md: the measurement, then the derivation. */
export function scaleSection(r: ScaleResult, written: Date | null): string[] {
  const out: string[] = [];
  const p = (s = "") => out.push(s);
  p(SCALE_START);
  p("## 9. Dispatch tick per shard at a million jobs — `npx tsx bench/scale.ts`");
  p();
  p(
    `Command: \`${r.command}\`${written ? ` (results written ${written.toISOString()})` : ""}` +
      `${r.machine ? ` on ${r.machine.nproc} cores (${r.machine.cpu}), shared with other sessions' test runs (load averages below)` : ""}; Worker bundle of HEAD ` +
      `${r.bundle.git_head}${r.bundle.src_changes.length ? ` plus uncommitted src/ changes (${r.bundle.src_changes.length} files)` : ""}. ` +
      "Each layout is a fresh state: the control plane and the shard files migrated (DB and SHARD_0 by `wrangler d1 migrations " +
      "apply`, the other shards as copies of the migrated SHARD_0), then the jobs inserted with node:sqlite — accounts of 100 " +
      "jobs placed by src/shards/placement.ts's rule (fewest accounts), every 10th job due in the last minute, the others 1 h to " +
      "1 day ahead. A generated wrangler config binds that many SHARD_n and has **no consumer for edgecron-runs**, so " +
      `what is measured is ${r.measured}. The dispatch Cron Trigger is fired once (\`${r.endpoint}\`); the run ends when ` +
      "every shard logged a complete `dispatch_tick`. CPU is wrangler + workerd (user + system, /proc) from the trigger to " +
      "the end of the last tick invocation; per invocation, from the end of the previous one (miniflare delivers one " +
      "edgecron-ticks batch at a time). D1 queries per invocation = pages (one SELECT each) + claim batches (one per non-empty " +
      "page) + the relay's 2 SELECTs after a complete tick — what src/engine/dispatch.ts and src/engine/relay.ts issue; a " +
      "batch is one query (one round trip) as D1 lists the limit under subrequests.",
  );
  p();
  p(
    "| shards | jobs | due | claimed (ledger rows in D1) | tick invocations | max D1 queries / invocation | CPU ms per claimed job | CPU s | wall s | load avg before → after |",
  );
  p("| --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |");
  for (const l of r.layouts) {
    const ledger = l.per_shard.reduce((a, s) => a + s.ledger_rows_in_d1, 0);
    p(
      `| ${l.shards} | ${fmt(l.jobs)} | ${fmt(l.due)} | ${fmt(l.claimed)} (${fmt(ledger)}) | ${l.invocations.length} | ` +
        `${fmt(l.max_d1_queries_per_invocation)} | ${fmt(l.cpu_ms_per_claimed_job, 3)} | ${fmt(l.cpu_ms / 1000, 1)} | ` +
        `${fmt(l.wall_s, 1)} | ${l.loadavg_before} → ${l.loadavg_after} |`,
    );
  }
  p();
  p("Per shard (invocations include continuations: a tick that used its 400 pages sends itself again):");
  p();
  p(
    "| shards | shard | jobs | due | claimed | ledger rows in D1 | still due after | invocations | pages | max D1 queries / invocation | CPU ms | CPU ms per claimed job |",
  );
  p("| --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |");
  for (const l of r.layouts) {
    for (const s of l.per_shard) {
      p(
        `| ${l.shards} | ${s.shard} | ${fmt(s.jobs)} | ${fmt(s.due)} | ${fmt(s.claimed)} | ${fmt(s.ledger_rows_in_d1)} | ` +
          `${fmt(s.still_due_in_d1)} | ${s.invocations} | ${fmt(s.pages)} | ${fmt(s.max_d1_queries_per_invocation)} | ` +
          `${fmt(s.cpu_ms)} | ${fmt(s.cpu_ms_per_claimed_job, 3)} |`,
      );
    }
  }
  p();
  for (const l of r.layouts) {
    const inv = l.invocations
      .map(
        (i) =>
          `shard ${i.shard}: ${fmt(i.pages)} pages, ${fmt(i.claimed)} claimed, ${i.duration_ms} ms${i.complete ? "" : " (continues)"}`,
      )
      .slice(0, 6)
      .join("; ");
    p(
      `- ${l.shards} shard(s): ${inv}${l.invocations.length > 6 ? "; …" : ""}. Shard attribution (queue order) ` +
        `${l.attribution_checked ? "matches" : "**does not match**"} each file's ledger rows. Worker error lines: ` +
        `${l.worker_error_lines.length}. Seeding ${l.seed_s} s after migrations ${l.migrate_s} s.`,
    );
  }
  p();
  const flat = r.layouts.map((l) => l.cpu_ms_per_claimed_job);
  p(
    `**Reading.** CPU per claimed job across ${r.layouts.map((l) => l.shards).join(" / ")} shards: ` +
      `${flat.map((c) => fmt(c, 3)).join(" / ")} ms. Every invocation stays at ≤ ${fmt(Math.max(...r.layouts.map((l) => l.max_d1_queries_per_invocation)))} ` +
      `D1 queries (limit ${fmt(LIMITS.queriesPerInvocation)}): MAX_PAGES = 400 caps one invocation at 400 SELECTs + 400 batches + 2, ` +
      "and a bigger shard's tick continues in another invocation instead. Locally the CPU includes the SQLite work that " +
      "D1 does on its own servers in production, and the continuations of one shard run one after another, as they do on " +
      "Cloudflare (a shard's continuation is sent when its previous invocation ends). " +
      (() => {
        const full = r.layouts.flatMap((l) => l.invocations).filter((i) => i.pages >= 400);
        if (full.length === 0) return "";
        const cpu = Math.max(...full.map((i) => i.cpu_ms));
        const ms = Math.max(...full.map((i) => i.duration_ms));
        return (
          `A full invocation (400 pages, 40,000 claims) took up to ${fmt(ms)} ms and ${fmt(cpu / 1000, 1)} s of wrangler + ` +
          "workerd CPU here — SQLite and miniflare included, so an upper bound for the Worker's own CPU, but near the 30 s " +
          "a queue consumer invocation gets by default: if production shows the same, lower MAX_PAGES or raise the " +
          "consumer's CPU limit (configurable up to 5 minutes). At the design point below a shard's tick is a few hundred " +
          "jobs, far from either."
        );
      })(),
  );
  p();
  for (const line of capacitySection(r)) p(line);
  p(SCALE_END);
  p();
  return out;
}

/** The derivation of the README's capacity table. */
export function capacitySection(r: ScaleResult | null): string[] {
  const out: string[] = [];
  const p = (s = "") => out.push(s);
  const i = INPUTS;
  const sizes = logSizes();
  const caps = sizes.map((z) => capacity(z.bytes, z.rowsWritten));
  const [, main] = caps as [Capacity, Capacity, Capacity];
  const col = (f: (c: Capacity) => string) => caps.map(f).join(" | ");
  const tickRate = r?.layouts
    .flatMap((l) => l.invocations)
    .reduce((a, inv) => ({ jobs: a.jobs + inv.claimed, ms: a.ms + inv.duration_ms }), { jobs: 0, ms: 0 });
  p("### Capacity: the derivation behind docs/OPERATING.md's table");
  p();
  p(
    "Inputs: bytes per log, indexes and day counts included — measured by bench/log-storage.ts (section 8, SQLite " +
      `dbstat over ${fmt(measuredLogs())} logs): ${sizes.map((z) => `${z.label}${z.source === "derived" ? ", derived" : ""}`).join("; ")}. ` +
      `Rows written per execution: ${i.rowsWrittenPerExecution} (test/shards/rows-written.test.ts, D1's own rows_written, ` +
      `compact logs with the run ledger). Sweep: ${fmt(sweepInput().rowsPerSecond)} rows/s (${sweepInput().source}). Retention window ${i.retentionDays} days (30 + up to a day before ` +
      `the daily sweep). Logs may fill ${Math.round(i.fill * 100)} % of a shard's 10 GB.` +
      (tickRate && tickRate.ms > 0
        ? ` Tick: ${fmt((tickRate.jobs / tickRate.ms) * 1000)} jobs claimed per second of dispatch_tick time locally (section 9, all layouts).`
        : ""),
  );
  p();
  p(
    "Limits (Cloudflare docs, Workers Paid): D1 10 GB per database (not raisable), 1 TB storage per account (raisable on " +
      "request), 50,000 databases per account, about 5,000 bindings per Worker, 1,000 queries per invocation; Queues " +
      "5,000 messages/s per queue, 250 concurrent consumer invocations (push), 10,000 queues per account.",
  );
  p();
  p(`| Quantity | Formula | ${sizes.map((z) => z.label).join(" | ")} |`);
  p(`| --- | --- | ${sizes.map(() => "--:").join(" | ")} |`);
  p(`| logs per shard | 10 GB × ${i.fill} / bytes per log | ${col((c) => `${fmt(c.logsPerShard / 1e6, 1)} M`)} |`);
  p(
    `| executions/min per shard (storage-bound) | logs per shard / (${i.retentionDays} d × 1,440 min) | ${col((c) => fmt(c.executionsPerMinutePerShard))} |`,
  );
  p(
    `| sweep time per shard per day | executions/day / ${fmt(sweepInput().rowsPerSecond)} rows/s | ${col((c) => `${fmt(c.sweepSecondsPerDayPerShard)} s`)} |`,
  );
  p(
    `| **shards for 1,000,000 executions/min** | 1,000,000 / executions/min per shard | ${col((c) => `**${fmt(c.shards)}**`)} |`,
  );
  p(
    `| **account storage (logs)** | 1,000,000 × 1,440 × ${i.retentionDays} × bytes per log | ${col((c) => `**${tb(c.accountBytes)}**`)} |`,
  );
  p(`| run queues by message rate | 16,667 msg/s / 5,000 | ${col((c) => fmt(c.queuesByRate))} |`);
  p(
    `| run queues by consumer concurrency | 16,667 runs/s / (250 × ${i.runsPerInvocation} in flight / ${i.meanRunSeconds} s mean run, assumed) | ${col((c) => fmt(c.queuesByConcurrency))} |`,
  );
  p(`| **run queues** | the larger | ${col((c) => `**${fmt(c.runQueues)}**`)} |`);
  p(`| due jobs per shard tick | 1,000,000 / shards | ${col((c) => fmt(c.dueJobsPerShardTick))} |`);
  p(`| D1 queries per shard tick | pages + batches + 2 (limit 1,000) | ${col((c) => fmt(c.tickQueriesPerShard))} |`);
  p(
    `| bindings per Worker | DB + shards + run queues + TICKS, EMAIL, RATE_LIMITER (≈ 5,000) | ${col((c) => fmt(c.bindings))} |`,
  );
  p(
    `| D1 rows written/s, whole service | 16,667 × rows per execution (${sizes.map((z) => z.rowsWritten).join(" / ")}) | ${col((c) => fmt(c.rowsWrittenPerSecond))} |`,
  );
  p();
  p(
    `**Design point.** At 1,000,000 executions per minute with compact logs (${main.bytesPerLog} B per log with the mock ` +
      `bodies) the service needs ${fmt(main.shards)} shards (+ the control plane) and ${tb(main.accountBytes)} of D1 ` +
      `storage — ${fmt(main.accountBytes / LIMITS.d1AccountBytes)}× the 1 TB per-account limit, **which must be raised on ` +
      "request** (at this rate any log above ≈ 22 B exceeds 1 TB: 1,000,000 × 1,440 × 31 = 44.6 G logs). Bodies near the " +
      `1 KB cap need ${fmt(caps[2]?.shards)} shards, i.e. ${fmt(caps[2]?.bindings)} bindings — ` +
      ((caps[2]?.bindings ?? 0) > LIMITS.bindingsPerWorker
        ? "more than the ≈ 5,000 a Worker may have, so that case needs the shards split over more than one Worker (not built). "
        : "within the ≈ 5,000 a Worker may have. ") +
      `Run queues: ${fmt(main.runQueues)} (the 5,000 msg/s per queue alone would need ${main.queuesByRate}; the 250 ` +
      `concurrent invocations × ${i.runsPerInvocation} runs need ${main.queuesByConcurrency} at a ${i.meanRunSeconds} s ` +
      "mean run) — today the Worker has one run queue, so more run queues are a change to build, not a setting. A shard's " +
      `tick at this point claims ≈ ${fmt(main.dueJobsPerShardTick)} jobs (${fmt(main.tickQueriesPerShard)} D1 queries), far ` +
      "below the per-invocation limit that the scale benchmark checks at 100,000 due jobs on one shard.",
  );
  p();
  return out;
}

/** Replaces section 9 in RESULTS.md (or inserts it before "## Reproduce"). */
export function spliceScale(markdown: string, section: string[]): string {
  const text = section.join("\n").trimEnd();
  const start = markdown.indexOf(SCALE_START);
  const end = markdown.indexOf(SCALE_END);
  if (start >= 0 && end > start) return markdown.slice(0, start) + text + markdown.slice(end + SCALE_END.length);
  const at = markdown.indexOf("## Reproduce");
  return at >= 0 ? `${markdown.slice(0, at)}${text}\n\n${markdown.slice(at)}` : `${markdown}\n${text}\n`;
}
