/**
 * The RESULTS.md section of bench/ledger-load.ts (the run ledger under load and faults, issue 11), from its JSON
 * result. bench/run.ts puts it in the full report; `npm run bench -- --section ledger-load` splices it into the
 * existing RESULTS.md alone (between its markers), leaving every other section as it was.
 */
import type { LoadSummary } from "./common";

interface Dist {
  n: number;
  p50: number;
  p99: number;
  max: number;
}
interface RowsKind {
  kind: string;
  statements: number;
  rows_written: number;
  per_execution: number;
}
interface Rows {
  executions: number;
  kinds: RowsKind[];
  total: number;
  per_execution: number;
  others: Array<{ kind: string; statements: number; rows_written: number }>;
}

export interface LedgerLoad {
  command: string;
  bundle?: { built_at: string; git_head: string };
  wrangler_config: { changes: string[] };
  vars: Record<string, string>;
  connections: number;
  duration_s: number;
  jobs: number;
  hang_every: number;
  hang_timeout_s: number;
  ok_timeout_s: number;
  retry_delay_s: number;
  duplicate_share: number;
  fail_share: number;
  ticks: number;
  tick_every_ms: number;
  relay_every_ms: number;
  quiet_ms: number;
  fired: Array<{ slot: number; firedAt: number; status: number; wallMs: number }>;
  load: LoadSummary & {
    loadavg_before: number[];
    loadavg_after: number[];
  };
  drain: { seconds: number; relays: number; loadavg_after: number[] };
  faults: {
    send_calls: number;
    failed_sends: number;
    failed_messages: number;
    run_messages_sent: number;
    duplicated_adjacent: number;
    duplicated_delayed: number;
  };
  deliveries: Record<string, number>;
  relay_lines: number;
  dispatch_enqueue_failed: number;
  worker_error_lines: number;
  worker_error_lines_injected: number;
  worker_error_sample: string[];
  reloads: number;
  bound_parameters?: Record<string, { n: number; ok: boolean; error?: string }>;
  check: {
    jobs: number;
    hanging_jobs: number;
    claimed_slots: number;
    expected_slots: number;
    ledger_rows: number;
    logs: number;
    first_attempt_logs: number;
    retry_logs: number;
    status_mix: Record<string, number>;
    target_calls: number;
    target_strays: number;
    lost: number;
    unfinished_runs: number;
    runs_without_log: number;
    duplicated_target_calls: number;
    logs_without_call: number;
    runs_leased_more_than_once: number;
    max_call_to_log_ms: number;
    counter_mismatch_jobs: number;
  };
  lateness_ms: { healthy: Dist; hanging: Dist };
  in_batch: {
    batches: number;
    mean_batch_size: number;
    mixed_batches: number;
    mixed_batch_ms: Dist;
    healthy_wait_beside_hanging_ms: Dist;
    healthy_wait_any_batch_ms: Dist;
    healthy_wait_without_hanging_ms?: Dist;
    healthy_wait_for_own_batch_ms: Dist;
    duplicate_pairs_in_one_batch: number;
  };
  model: {
    runs_per_tick: number;
    max_batch_size: number;
    max_batch_timeout_s: number;
    max_concurrency: number;
    invocations: number;
    waves: number;
    healthy_start_bound_ms: number | null;
    hanging_start_bound_ms: number | null;
  };
  rows_phases: Array<Rows & { name: string; label: string; jobs: number }>;
  rows_under_load: Rows;
  loadavg_end: number;
  total_s: number;
}

export const SECTION_START = "<!-- ledger-load:start -->";
export const SECTION_END = "<!-- ledger-load:end -->";

const fmt = (n: number | null | undefined, digits = 0) =>
  n === null || n === undefined || Number.isNaN(n)
    ? "—"
    : n.toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const s1 = (ms: number) => fmt(ms / 1000, 1);
const dist = (d: Dist, unit: (ms: number) => string = (ms) => fmt(ms)) =>
  `${fmt(d.n)} | ${unit(d.p50)} | ${unit(d.p99)} | ${unit(d.max)}`;

/**
 * The section's lines, markers included. `written` is when the JSON was written (the run's end); `spliced` when the
 * section goes into an existing RESULTS.md alone.
 */
export function ledgerSection(l: LedgerLoad, written: Date | null, spliced: boolean): string[] {
  const out: string[] = [];
  const p = (s = "") => out.push(s);
  const c = l.check;
  const f = l.faults;
  const dup = f.duplicated_adjacent + f.duplicated_delayed;
  const results = Object.entries(l.deliveries)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k.replace(/^run:/, "")} ${fmt(v)}`)
    .join(", ");
  p(SECTION_START);
  p("## 7. Run ledger under load and faults — `npx tsx bench/ledger-load.ts`");
  p();
  p(
    `Finished ${written ? written.toISOString() : "?"} after ${fmt(l.total_s / 60, 1)} min (its own process, after the seed). ` +
      (spliced
        ? "This section alone was written into the file by `npm run bench -- --section ledger-load`; the full " +
          "`npm run bench` was not rerun for it, so every other section keeps the figures and date of its own run. "
        : "") +
      `Worker: src/ as committed at HEAD ${l.bundle?.git_head ?? "?"} (git archive, so others' uncommitted edits are ` +
      "not in it), wrapped by the bench-only bench/lib/fault-worker.ts and frozen in one bundle; vars " +
      `${Object.entries(l.vars)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ")}; wrangler.toml copy: ${l.wrangler_config.changes.join("; ")}; the queue consumers as in ` +
      "wrangler.toml.",
  );
  p();
  p(
    `**Scenario.** ${l.duration_s} s of autocannon at ${l.connections} connections cycling through the load test's reads ` +
      `(section 6) while ${l.ticks} ticks, ${l.tick_every_ms / 1000} s apart, each claim a slot of ${l.jobs} every-minute ` +
      `jobs (simulated minutes three days back, so nothing else in the database is due) run by the **http executor** against ` +
      `a node:http target on 127.0.0.1 (bench/lib/target.ts) that counts its own calls per job. Every ${l.hang_every}th job ` +
      `(${c.hanging_jobs}, 20 %) hangs until its ${l.hang_timeout_s} s timeout; the others answer 200 at once (timeout ` +
      `${l.ok_timeout_s} s). Every job has max_retries 1 (retry after ${l.retry_delay_s} s; only the hanging ones retry) ` +
      "and success/failure callback URLs with notify `attempt` (CALLBACKS=record: logged, not sent), so every attempt has " +
      "a follow-up to send. Faults, made by the wrapper around the RUNS binding (src/ unchanged): " +
      `${Math.round(l.duplicate_share * 100)} % of run messages sent twice — half right after the original in the same ` +
      "sendBatch (they usually share a consumer batch: concurrent deliveries), half 3 s later; " +
      `${Math.round(l.fail_share * 100)} % of sendBatch calls (tick, relay, follow-ups) throw once before sending. After the ` +
      `load, a tick (relay only: it claims nothing) every ${l.relay_every_ms / 1000} s until every run of the test is ` +
      `finished, no outbox entry is left and no queue batch arrived for ${l.quiet_ms / 1000} s; then, with wrangler ` +
      "stopped, the checks on the SQLite file and the target's counts.",
  );
  p();
  p("| Figure | Value |");
  p("| --- | ---: |");
  p(
    `| reads | ${fmt(l.load.requests)} at ${fmt(l.load.req_per_s, 1)} req/s; p50 ${l.load.p50_ms} ms, p99 ${l.load.p99_ms} ms, max ${fmt(l.load.max_ms)} ms |`,
  );
  p(
    `| non-2xx / connection errors / timeouts | ${fmt(l.load.non2xx)} / ${fmt(l.load.errors)} / ${fmt(l.load.timeouts)} |`,
  );
  p(
    `| load average (1, 5, 15 min) before the load / after it / after the drain | ${l.load.loadavg_before.join(", ")} / ` +
      `${l.load.loadavg_after.join(", ")} / ${l.drain.loadavg_after.join(", ")} (2 cores; other agents' tests were running) |`,
  );
  p(`| wrangler + workerd CPU during the load | ${l.load.cpu_s} s |`);
  p(
    `| ticks | ${l.fired.map((t) => `${t.status} in ${fmt(t.wallMs)} ms`).join(", ")}; then ${l.drain.relays} relay ticks |`,
  );
  p(
    `| run messages sent (originals, by the engine) / sent twice | ${fmt(f.run_messages_sent)} / ${fmt(dup)} (${fmt(f.duplicated_adjacent)} in the same sendBatch, ${fmt(f.duplicated_delayed)} 3 s later) |`,
  );
  p(
    `| duplicate pairs delivered in one consumer batch (concurrently) | ${fmt(l.in_batch.duplicate_pairs_in_one_batch)} |`,
  );
  p(
    `| sendBatch calls / failed once | ${fmt(f.send_calls)} / ${fmt(f.failed_sends)} (${fmt(f.failed_messages)} messages; ${fmt(l.dispatch_enqueue_failed)} of them a tick's) |`,
  );
  p(`| deliveries by consumer result | ${results} |`);
  p(
    `| claimed slots (jobs' occurrences) / expected (jobs × ticks) | ${fmt(c.claimed_slots)} / ${fmt(c.expected_slots)} |`,
  );
  p(`| ledger rows (attempts) / unfinished | ${fmt(c.ledger_rows)} / ${fmt(c.unfinished_runs)} |`);
  p(
    `| logs (first attempts + retries) | ${fmt(c.logs)} (${fmt(c.first_attempt_logs)} + ${fmt(c.retry_logs)}; ${Object.entries(
      c.status_mix,
    )
      .map(([k, v]) => `${k} ${fmt(v)}`)
      .join(", ")}) |`,
  );
  p(`| target calls (the target's own count) | ${fmt(c.target_calls)} (${fmt(c.target_strays)} to unknown paths) |`);
  p(`| **lost** (claimed slots without a first-attempt log, plus unfinished runs) | **${fmt(c.lost)}** |`);
  p(`| **duplicated target calls** (per job: calls beyond its logs) | **${fmt(c.duplicated_target_calls)}** |`);
  p(
    `| logs without a target call / ledger rows without a log | ${fmt(c.logs_without_call)} / ${fmt(c.runs_without_log)} |`,
  );
  p(`| runs leased more than once | ${fmt(c.runs_leased_more_than_once)} |`);
  p(
    `| calls matched to logs by time (per job, i-th call ↔ i-th log): largest gap call − executed_at | ${fmt(c.max_call_to_log_ms)} ms |`,
  );
  p(`| jobs whose total_executions ≠ their logs | ${fmt(c.counter_mismatch_jobs)} |`);
  p(`| drain after the load | ${fmt(l.drain.seconds, 1)} s |`);
  p(
    `| Worker error lines: injected send failures / others | ${fmt(l.worker_error_lines_injected)} / ${fmt(l.worker_error_lines - l.worker_error_lines_injected)} |`,
  );
  p(`| Worker reloads | ${l.reloads} |`);
  p();
  p(
    `The reads are far slower than in section 6: the machine's 1-minute load average was ${l.load.loadavg_before[0]} ` +
      "on 2 cores (other agents' test suites), wrangler + workerd got " +
      `${l.load.cpu_s} CPU s in the ${l.duration_s} s (${fmt(l.load.cpu_s / l.duration_s, 2)} of a core), and the target ` +
      "and autocannon share the bench's Node process — so they are given for their errors (none), not as a throughput " +
      "figure, and the target's arrival stamps lag behind executed_at by up to the gap in the table.",
  );
  p();
  if (l.worker_error_sample.length > 0) {
    p(`Other Worker error lines (first ${l.worker_error_sample.length}):`);
    p();
    for (const line of l.worker_error_sample) p(`- \`${line.replace(/`/g, "'").slice(0, 300)}\``);
    p();
  }
  const ib = l.in_batch;
  p(
    "**Start lateness** (`executed_at − scheduled_at` of first attempts, with the simulated clock's offset removed: " +
      "`executed_at` − the real instant the slot's tick was fired, which is what the column reads in production when the " +
      "Cron Trigger fires on the minute). Locally miniflare hands the consumer one batch at a time and waits for it to " +
      "finish before the next, so the local figures are dominated by the queue ahead of a run; the in-batch rows isolate " +
      "what the consumer itself adds (from the wrapper's record of each batch's arrival and the runs' executed_at).",
  );
  p();
  p("| Start lateness | runs | p50 | p99 | max |");
  p("| --- | ---: | ---: | ---: | ---: |");
  p(`| healthy jobs, locally (s) | ${dist(l.lateness_ms.healthy, s1)} |`);
  p(`| hanging jobs, locally (s) | ${dist(l.lateness_ms.hanging, s1)} |`);
  p(
    `| of which: tick → arrival of the healthy run's batch, locally (s) | ${dist(ib.healthy_wait_for_own_batch_ms, s1)} |`,
  );
  p(
    `| **in-batch**: healthy run in a batch with a hanging one, batch arrival → its start (ms) | ${dist(ib.healthy_wait_beside_hanging_ms)} |`,
  );
  if (ib.healthy_wait_without_hanging_ms) {
    p(
      `| in-batch, for comparison: healthy run in a batch without a hanging one (ms) | ${dist(ib.healthy_wait_without_hanging_ms)} |`,
    );
  }
  p(`| for scale: duration of those mixed batches (ms) | ${dist(ib.mixed_batch_ms)} |`);
  p();
  p(
    `${fmt(ib.batches)} batches of the runs queue (mean ${ib.mean_batch_size} messages), ${fmt(ib.mixed_batches)} of them ` +
      "holding a hanging run beside a healthy one. The healthy runs of those batches started as soon as the batch came, not " +
      `after their neighbour's ${l.hang_timeout_s} s timeout: the consumer runs a batch's messages at once. The same ` +
      'interleaving is asserted in workerd by test/engine/run-ledger.test.ts ("a healthy run finishes while the hanging ' +
      'runs of its batch are still waiting", the batch handed to the consumer directly). What a healthy run waits inside ' +
      "its batch is its own lease queries (D1 shared by the batch's runs and the reads), the same with or without a " +
      "hanging neighbour: compare the two in-batch rows.",
  );
  p();
  // A tick's run messages: its slots plus the share delivered twice (computed here, so older results read the same).
  const perTick = Math.round(l.jobs * (1 + l.duplicate_share));
  const m = {
    ...l.model,
    runs_per_tick: perTick,
    invocations: Math.ceil(perTick / l.model.max_batch_size),
    waves: Math.ceil(perTick / (l.model.max_batch_size * l.model.max_concurrency)),
  };
  p(
    `**Modelled production lateness** (README, "Lateness in production"; wrangler.toml's consumer: max_batch_size ` +
      `${m.max_batch_size}, max_batch_timeout ${m.max_batch_timeout_s} s, max_concurrency ${m.max_concurrency}). This tick's ` +
      `≈ ${fmt(m.runs_per_tick)} run messages (${l.jobs} slots, ${Math.round(l.duplicate_share * 100)} % of them twice) need ` +
      `${fmt(m.invocations)} invocations of ${m.max_batch_size}, within max_concurrency (${m.waves} wave): every run, healthy ` +
      `or hanging, starts within max_batch_timeout + its in-batch wait ≈ ${fmt(m.healthy_start_bound_ms)} ms (measured ` +
      "in-batch maximum above), plus Queues' consumer scale-up, which the model does not give and nothing here measures. " +
      `Beyond ${fmt(m.max_concurrency * m.max_batch_size)} runs in flight a run waits for a free invocation: at worst ` +
      "(ceil(N / 1,000) − 1) × the longest timeout ahead of it. A hanging neighbour costs a healthy run nothing in either case.",
  );
  p();
  const phases = l.rows_phases;
  const kinds = [
    ...new Set([...phases.flatMap((ph) => ph.kinds.map((k) => k.kind)), ...l.rows_under_load.kinds.map((k) => k.kind)]),
  ].sort();
  const cell = (r: Rows, kind: string) => {
    const k = r.kinds.find((x) => x.kind === kind);
    return k ? fmt(k.per_execution, 2) : "—";
  };
  p(
    "**Cost in D1 rows written per execution** (an execution = one attempt = one log). Measured, not replayed: the " +
      "wrapper sums every engine statement's `meta.rows_written` as the Worker ran it — workerd's own counter, the one D1 " +
      "bills, which counts each index entry and each row a trigger writes (SQLite's `changes()` and `total_changes()` count " +
      `table rows only, so a replay with node:sqlite would miss the log's index entries and its day count). ${phases.length} phases ran ` +
      `before the load with faults off, one tick of ${phases[0]?.jobs ?? "?"} jobs each (the second one ticks the first ` +
      "one's jobs again, at their next slot); the last column is the load above, whose " +
      "duplicated deliveries, failed sends and relay passes add their own writes.",
  );
  p();
  const parts: Array<[string, (kind: string) => boolean]> = [
    ["claim (cron_jobs UPDATE)", (k) => k === "tick: claim (cron_jobs)"],
    ["ledger insert (runs, in the claim's batch)", (k) => k === "tick: ledger insert (runs)"],
    ["lease (runs UPDATE)", (k) => k === "lease (runs)"],
    [
      "record (log + its indexes + log_counts, job counters, ledger done, next attempt, callback outbox)",
      (k) => k.startsWith("record:"),
    ],
    ["follow-ups (runs marked sent, outbox deleted)", (k) => k.startsWith("follow-ups:")],
    ["skips", (k) => k.startsWith("ledger:")],
  ];
  const part = (r: Rows, match: (kind: string) => boolean) => {
    const rows = r.kinds.filter((k) => match(k.kind)).reduce((a, k) => a + k.rows_written, 0);
    return rows === 0 ? "—" : fmt(rows / Math.max(1, r.executions), 2);
  };
  const columns = [...phases, l.rows_under_load];
  p(`| Part | ${phases.map((ph) => ph.label).join(" | ")} | under the load with faults |`);
  p(`| --- | ${columns.map(() => "---:").join(" | ")} |`);
  for (const [name, match] of parts) {
    if (columns.every((r) => part(r, match) === "—")) continue;
    p(`| ${name} | ${columns.map((r) => part(r, match)).join(" | ")} |`);
  }
  p(`| **rows written per execution** | ${columns.map((r) => `**${fmt(r.per_execution, 2)}**`).join(" | ")} |`);
  p(`| executions (logs) | ${columns.map((r) => fmt(r.executions)).join(" | ")} |`);
  p();
  const steady = phases.find((ph) => ph.name === "plain-again");
  const first = phases.find((ph) => ph.name === "plain");
  const cb = phases.find((ph) => ph.name === "callback");
  if (steady && first) {
    const of = (r: Rows, kind: string) => (r.kinds.find((k) => k.kind === kind)?.rows_written ?? 0) / r.executions;
    const ledgerRows =
      of(steady, "tick: ledger insert (runs)") + of(steady, "lease (runs)") + of(steady, "record: ledger done (runs)");
    const before = steady.per_execution - ledgerRows;
    const callbackRows = cb ? cb.per_execution - first.per_execution : null;
    p(
      `**Against the ≈ 13 rows per execution before the ledger** (/work/shared/DESIGN.md: claim 2, counters 2, log 8–10 ` +
        `with indexes, sweep 1): a healthy run without callback now writes ${fmt(steady.per_execution, 2)} rows ` +
        `(${fmt(first.per_execution, 2)} for a job's first log of a UTC day and status, whose log_counts row is inserted ` +
        `rather than updated). The ledger's own share is ${fmt(ledgerRows, 2)} of them — the run's insert ` +
        `${fmt(of(steady, "tick: ledger insert (runs)"), 2)} (the WITHOUT ROWID row and its entry in the partial index of ` +
        `unfinished runs), the lease ${fmt(of(steady, "lease (runs)"), 2)}, done ${fmt(of(steady, "record: ledger done (runs)"), 2)}` +
        ` — on top of ${fmt(before, 2)} for what existed before (claim, counters, log), i.e. about ` +
        `+${Math.round((ledgerRows / before) * 100)} %; the sweep's later deletes (the log, now also its ledger row) ` +
        "are not in these figures." +
        (callbackRows !== null
          ? ` A callback adds ${fmt(callbackRows, 2)} (its outbox entry written with the log, deleted once sent).`
          : "") +
        " A retry is an execution of its own and costs the same plus its ledger row, written by the attempt before it.",
    );
    p();
  }
  p("Per statement:");
  p();
  p(`| Statement | ${phases.map((ph) => ph.label).join(" | ")} | under the load with faults |`);
  p(`| --- | ${phases.map(() => "---:").join(" | ")} | ---: |`);
  for (const kind of kinds)
    p(`| ${kind} | ${phases.map((ph) => cell(ph, kind)).join(" | ")} | ${cell(l.rows_under_load, kind)} |`);
  p(
    `| **rows written per execution** | ${phases.map((ph) => `**${fmt(ph.per_execution, 2)}**`).join(" | ")} | **${fmt(l.rows_under_load.per_execution, 2)}** |`,
  );
  p(
    `| executions (logs) | ${phases.map((ph) => fmt(ph.executions)).join(" | ")} | ${fmt(l.rows_under_load.executions)} |`,
  );
  p();
  const bp = l.bound_parameters;
  if (bp?.["100"]?.ok && bp["101"] && !bp["101"].ok) {
    p(
      "**Found while building this test (for the engine's owner; src/ was not changed):** `markRunsUnsent` " +
        "(src/engine/dispatch.ts after a failed tick send) and `markRunsSentStatement` (src/engine/follow-ups.ts, also " +
        "for the relay) bind one parameter per run plus `sent_at`, so a full tick page (100 runs) or a full relay pass " +
        "(RELAY_LIMIT 100) gives 101 bound parameters, one more than D1 allows. Probe through this Worker's D1: a " +
        `statement with 100 parameters ${bp["100"].ok ? "runs" : "fails"}, with 101 it fails (\`${bp["101"].error ?? ""}\`). ` +
        'In a trial run a tick whose sendBatch of a full page failed logged `Failed query: update "runs" set ' +
        '"sent_at" = ? where "runs"."id" in (…)`: its 100 runs kept their sent_at, so the relay would send ' +
        "them only under its 10-minute staleness rule instead of at the next tick (late, not lost); a relay pass of 100 " +
        "sends its messages and then fails to mark them, so the next pass sends them again (harmless duplicates). " +
        "Chunking those UPDATEs to ≤ 99 ids would fix both.",
    );
    p();
  }
  p(SECTION_END);
  p();
  return out;
}

/**
 * Replaces the section between its markers in `markdown`, or inserts it before "## Reproduce"; adds the script to the
 * Reproduce block if it is not there.
 */
export function spliceSection(markdown: string, section: string[]): string {
  const text = section.join("\n").trimEnd();
  const start = markdown.indexOf(SECTION_START);
  const end = markdown.indexOf(SECTION_END);
  let md: string;
  if (start >= 0 && end > start) md = markdown.slice(0, start) + text + markdown.slice(end + SECTION_END.length);
  else {
    const at = markdown.indexOf("## Reproduce");
    md = at >= 0 ? `${markdown.slice(0, at)}${text}\n\n${markdown.slice(at)}` : `${markdown}\n${text}\n`;
  }
  const line = `${"npx tsx bench/ledger-load.ts".padEnd(35)}# ledger-load alone\n`;
  const report = md.indexOf("npm run bench -- --report");
  if (!md.includes(line) && report >= 0) {
    const after = md.indexOf("\n", report) + 1;
    md =
      md.slice(0, report) +
      line +
      md.slice(report, after) +
      "npm run bench -- --section ledger-load  # rewrite only section 7 from its JSON\n" +
      md.slice(after);
  }
  return md;
}
