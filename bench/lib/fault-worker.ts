/**
 * A bench-only wrapper around the Worker's handlers (src/index.ts), built into its own frozen bundle by
 * `ensureBundle({ wrap: true })` and never part of the deployed Worker. src/ is unchanged: the wrapper only hands
 * the handlers an `env` whose bindings misbehave the way the platform may, and watches what they do.
 *
 * - RUNS (the producer of the runs queue): a share of the run messages is sent twice — half of them right after
 *   the original in the same `sendBatch` (they usually land in one consumer batch: concurrent deliveries), half
 *   with a few seconds' delay (a later delivery, while the first may still hold the lease); and a share of the
 *   `sendBatch` calls throws once, before anything is sent (a message that failed once is never failed again).
 * - DB and every SHARD_n: every statement's `meta.rows_written` — workerd's own counter, which includes index entries and trigger
 *   writes, the figure D1 bills — summed per kind of engine statement, recognised by its SQL. drizzle reads
 *   `UPDATE … RETURNING` through `raw()`, which carries no meta, so for writing statements `raw()` is answered
 *   from `all()` (same rows, as arrays in column order — what drizzle's own batch mapping does).
 * - queue(): each batch's arrival, end and messages, so a run's wait inside its own batch can be measured.
 *
 * `GET /__bench/state` returns the counters and the batches, `GET /__bench/params?n=101` tries a statement with n
 * bound parameters; `POST /__bench/faults` sets the fault rates
 * (`{"duplicate":0.1,"fail":0.05}`) and `POST /__bench/reset` clears the counters. The types are structural: this
 * module is type-checked with the bench scripts (Node types), not the Worker's.
 */

interface Meta {
  rows_written?: number;
  rows_read?: number;
  changes?: number;
}
interface D1ResultLike {
  results?: unknown[];
  meta?: Meta;
}
interface StatementLike {
  bind(...values: unknown[]): StatementLike;
  all(): Promise<D1ResultLike>;
  raw(options?: { columnNames?: boolean }): Promise<unknown[]>;
  run(): Promise<D1ResultLike>;
  first(column?: string): Promise<unknown>;
}
interface D1Like {
  prepare(sql: string): StatementLike;
  batch(statements: StatementLike[]): Promise<D1ResultLike[]>;
  withSession?(constraint?: string): D1Like;
  getBookmark?(): string | null;
}
interface SendRequest {
  body: unknown;
  contentType?: string;
  delaySeconds?: number;
}
interface QueueLike {
  sendBatch(messages: Iterable<SendRequest>, options?: unknown): Promise<unknown>;
  send(body: unknown, options?: unknown): Promise<unknown>;
}
interface EnvLike {
  RUNS: QueueLike;
  DB: D1Like;
  [key: string]: unknown;
}
interface MessageLike {
  id: string;
  body: unknown;
  attempts: number;
}
interface BatchLike {
  queue: string;
  messages: readonly MessageLike[];
}
export interface WorkerLike {
  fetch(request: Request, env: EnvLike, ctx: unknown): Response | Promise<Response>;
  scheduled(controller: unknown, env: EnvLike, ctx: unknown): Promise<void>;
  queue(batch: BatchLike, env: EnvLike, ctx: unknown): Promise<void>;
}

/** Rows written by one kind of statement. */
export interface StatementStats {
  statements: number;
  rows_written: number;
  rows_read: number;
  sample: string;
}
/** One consumer batch: when it arrived and ended (epoch ms, the isolate's clock) and what it held. */
export interface BatchRecord {
  queue: string;
  received_at: number;
  finished_at: number;
  messages: Array<{ type: string; run_id: string | null; job_id: string | null; attempts: number }>;
}
export interface FaultCounters {
  send_calls: number;
  failed_sends: number;
  failed_messages: number;
  run_messages_sent: number;
  duplicated_adjacent: number;
  duplicated_delayed: number;
}
export interface BenchState {
  faults: { duplicate: number; fail: number; delay_seconds: number };
  counters: FaultCounters;
  statements: Record<string, StatementStats>;
  batches: BatchRecord[];
}

/** The engine's statements by their SQL (drizzle's text), in the order they are tried. */
const KINDS: Array<[RegExp, string]> = [
  // The claim sets skipped_runs first since overlap policies (issue 14), next_run_at before.
  [/^update "cron_jobs" set "(next_run_at|skipped_runs)"/, "tick: claim (cron_jobs)"],
  [/^insert into "runs".*"last_claimed_slot"/s, "tick: ledger insert (runs)"],
  [/^update "runs" set "state" = \?, "lease_until" = \?, "leases"/, "lease (runs)"],
  [/^insert into "outbox"/, "record: callback to the outbox"],
  [/^insert into "runs"/, "record: next attempt (runs)"],
  // drizzle writes SET in the table's column order: a final outcome's update starts with is_active.
  [/^update "cron_jobs" set .*"total_executions"/s, "record: job counters (cron_jobs)"],
  [/^insert into "logs"/, "record: log (logs, its two indexes, log_day_counts)"],
  [/^update "runs" set "state" = \?, "lease_until" = (null|\?) where/, "record: ledger done (runs)"],
  [/^update "runs" set "sent_at"/, "follow-ups: runs marked sent"],
  [/^delete from "outbox"/, "follow-ups: outbox entries deleted"],
  [/^update "runs" set "state" = \?, "reason"/, "ledger: skipped"],
  [/^update "api_keys"/, "api: key last_used_at"],
];

const isWrite = (sql: string) => /^\s*(insert|update|delete|replace)\b/i.test(sql);

export function statementKind(sql: string): string {
  for (const [re, kind] of KINDS) if (re.test(sql)) return kind;
  if (!isWrite(sql)) return "reads";
  return `other: ${sql.slice(0, 60)}`;
}

/** FNV-1a over a string: a stable pseudo-random number in [0, 1) per message, so a rerun picks the same ones. */
function unit(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 2 ** 32;
}

const runIdOf = (body: unknown): string | null => {
  const b = body as { type?: string; runId?: string } | null;
  return b?.type === "run" && typeof b.runId === "string" ? b.runId : null;
};
const keyOf = (body: unknown) => runIdOf(body) ?? JSON.stringify(body);

export function withFaults(worker: WorkerLike): WorkerLike {
  const state: BenchState = {
    faults: { duplicate: 0, fail: 0, delay_seconds: 3 },
    counters: {
      send_calls: 0,
      failed_sends: 0,
      failed_messages: 0,
      run_messages_sent: 0,
      duplicated_adjacent: 0,
      duplicated_delayed: 0,
    },
    statements: {},
    batches: [],
  };
  const failedOnce = new Set<string>();
  const duplicatedOnce = new Set<string>();

  const count = (sql: string, meta: Meta | undefined) => {
    const kind = statementKind(sql);
    const s = state.statements[kind] ?? { statements: 0, rows_written: 0, rows_read: 0, sample: sql.slice(0, 160) };
    state.statements[kind] = s;
    s.statements++;
    s.rows_written += meta?.rows_written ?? 0;
    s.rows_read += meta?.rows_read ?? 0;
  };

  const originals = new WeakMap<StatementLike, StatementLike>();
  const sqlOf = new WeakMap<StatementLike, string>();
  const statement = (orig: StatementLike, sql: string): StatementLike => {
    const s: StatementLike = {
      bind: (...values) => statement(orig.bind(...values), sql),
      all: async () => {
        const r = await orig.all();
        count(sql, r.meta);
        return r;
      },
      run: async () => {
        const r = await orig.run();
        count(sql, r.meta);
        return r;
      },
      raw: async (options) => {
        if (!isWrite(sql)) return orig.raw(options);
        const r = await orig.all();
        count(sql, r.meta);
        const rows = (r.results ?? []) as Array<Record<string, unknown>>;
        const arrays = rows.map((row) => Object.values(row));
        return options?.columnNames ? [Object.keys(rows[0] ?? {}), ...arrays] : arrays;
      },
      first: (column) => orig.first(column),
    };
    originals.set(s, orig);
    sqlOf.set(s, sql);
    return s;
  };
  const database = (d1: D1Like): D1Like => ({
    prepare: (sql) => statement(d1.prepare(sql), sql),
    batch: async (statements) => {
      const results = await d1.batch(statements.map((s) => originals.get(s) ?? s));
      results.forEach((r, i) => {
        const s = statements[i];
        count((s && sqlOf.get(s)) ?? "?", r.meta);
      });
      return results;
    },
    withSession: (constraint) => database(d1.withSession ? d1.withSession(constraint) : d1),
    // A D1 session's bookmark (the API returns it in X-D1-Bookmark); a plain binding has none.
    getBookmark: () => d1.getBookmark?.() ?? null,
  });

  const queue = (q: QueueLike): QueueLike => {
    const sendBatch = async (messages: Iterable<SendRequest>, options?: unknown) => {
      const list = [...messages];
      state.counters.send_calls++;
      const keys = list.map((m) => keyOf(m.body));
      const sentBefore = keys.some((k) => failedOnce.has(k));
      if (!sentBefore && state.faults.fail > 0 && unit(`fail:${keys.join(",")}`) < state.faults.fail) {
        for (const k of keys) failedOnce.add(k);
        state.counters.failed_sends++;
        state.counters.failed_messages += list.length;
        throw new Error("bench: injected send failure");
      }
      const out: SendRequest[] = [];
      for (const m of list) {
        out.push(m);
        const runId = runIdOf(m.body);
        if (runId === null) continue;
        state.counters.run_messages_sent++;
        if (duplicatedOnce.has(runId) || unit(`dup:${runId}`) >= state.faults.duplicate) continue;
        duplicatedOnce.add(runId);
        if (unit(`how:${runId}`) < 0.5) {
          out.push(m);
          state.counters.duplicated_adjacent++;
        } else {
          out.push({ ...m, delaySeconds: (m.delaySeconds ?? 0) + state.faults.delay_seconds });
          state.counters.duplicated_delayed++;
        }
      }
      // Queues take at most 100 messages per sendBatch: the duplicates may push a full batch over it.
      let last: unknown;
      for (let i = 0; i < out.length; i += 100) last = await q.sendBatch(out.slice(i, i + 100), options);
      return last;
    };
    return { sendBatch, send: (body, options) => sendBatch([{ body, contentType: "json" }], options) };
  };

  const envs = new WeakMap<EnvLike, EnvLike>();
  const wrap = (env: EnvLike): EnvLike => {
    let w = envs.get(env);
    if (!w) {
      // Every D1 binding: the control plane and each shard (the engine's statements run on the shards).
      const dbs = Object.fromEntries(
        Object.keys(env)
          .filter((k) => k === "DB" || /^SHARD_\d+$/.test(k))
          .map((k) => [k, database(env[k] as D1Like)]),
      );
      w = { ...env, RUNS: queue(env.RUNS), ...dbs } as EnvLike;
      envs.set(env, w);
    }
    return w;
  };

  const json = (body: unknown) =>
    new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });

  return {
    async fetch(request, env, ctx) {
      const url = new URL(request.url);
      if (url.pathname === "/__bench/state") return json(state);
      if (url.pathname === "/__bench/params") {
        // How many bound parameters one statement may carry here (D1 documents 100).
        const n = Number(url.searchParams.get("n") ?? 101);
        const sql = `SELECT count(*) AS n WHERE 1 IN (${Array.from({ length: n }, () => "?").join(", ")})`;
        try {
          const r = await env.DB.prepare(sql)
            .bind(...Array.from({ length: n }, () => 1))
            .all();
          return json({ n, ok: true, results: r.results });
        } catch (e) {
          return json({ n, ok: false, error: String(e) });
        }
      }
      if (url.pathname === "/__bench/faults" && request.method === "POST") {
        Object.assign(state.faults, (await request.json()) as Partial<BenchState["faults"]>);
        return json(state.faults);
      }
      if (url.pathname === "/__bench/reset" && request.method === "POST") {
        state.statements = {};
        state.batches = [];
        for (const k of Object.keys(state.counters) as Array<keyof FaultCounters>) state.counters[k] = 0;
        return json(state);
      }
      return worker.fetch(request, wrap(env), ctx);
    },
    scheduled: (controller, env, ctx) => worker.scheduled(controller, wrap(env), ctx),
    async queue(batch, env, ctx) {
      const record: BatchRecord = {
        queue: batch.queue,
        received_at: Date.now(),
        finished_at: 0,
        messages: batch.messages.map((m) => {
          const b = m.body as { type?: string; runId?: string; jobId?: string } | null;
          return { type: b?.type ?? "?", run_id: b?.runId ?? null, job_id: b?.jobId ?? null, attempts: m.attempts };
        }),
      };
      // Listed on arrival (finished_at 0 while it runs), so a batch that never ends shows.
      state.batches.push(record);
      try {
        await worker.queue(batch, wrap(env), ctx);
      } finally {
        record.finished_at = Date.now();
      }
    },
  };
}
