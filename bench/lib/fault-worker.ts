/**
 * A bench-only wrapper around src/index.ts (ensureBundle({ faults: true })), never deployed: RUNS sends some messages
 * twice and fails some sendBatch calls once; DB and SHARD_n sum `meta.rows_written` (workerd's, as D1 bills) per kind
 * of engine statement; queue() records each batch. Driven by /__bench/state, /params, /faults, /reset.
 */

interface D1Result {
  results?: unknown[];
  meta?: { rows_written?: number };
}
interface Statement {
  bind(...values: unknown[]): Statement;
  all(): Promise<D1Result>;
  raw(options?: { columnNames?: boolean }): Promise<unknown[]>;
  run(): Promise<D1Result>;
  first(column?: string): Promise<unknown>;
}
interface D1 {
  prepare(sql: string): Statement;
  batch(statements: Statement[]): Promise<D1Result[]>;
  withSession?(constraint?: string): D1;
  getBookmark?(): string | null;
}
interface SendRequest {
  body: unknown;
  contentType?: string;
  delaySeconds?: number;
}
interface Queue {
  sendBatch(messages: Iterable<SendRequest>, options?: unknown): Promise<unknown>;
  send(body: unknown, options?: unknown): Promise<unknown>;
}
type Env = { RUNS: Queue; DB: D1; [key: string]: unknown };
interface Worker {
  fetch(request: Request, env: Env, ctx: unknown): Response | Promise<Response>;
  scheduled(controller: unknown, env: Env, ctx: unknown): Promise<void>;
  queue(batch: { queue: string; messages: ReadonlyArray<{ body: unknown }> }, env: Env, ctx: unknown): Promise<void>;
}

export interface StatementStats {
  statements: number;
  rows_written: number;
  sample: string;
}
export interface BatchRecord {
  queue: string;
  received_at: number;
  finished_at: number;
  messages: Array<{ type: string; run_id: string | null }>;
}
const COUNTERS = ["send_calls", "failed_sends", "failed_messages", "run_messages_sent"] as const;
const DUPLICATES = ["duplicated_adjacent", "duplicated_delayed"] as const;
export interface BenchState {
  faults: { duplicate: number; fail: number; delay_seconds: number };
  counters: Record<(typeof COUNTERS)[number] | (typeof DUPLICATES)[number], number>;
  statements: Record<string, StatementStats>;
  batches: BatchRecord[];
}

/** The engine's statements by their SQL (drizzle's text), in the order tried. */
const KINDS: Array<[RegExp, string]> = [
  [/^update "cron_jobs" set "(next_run_at|skipped_runs)"/, "tick: claim (cron_jobs)"],
  [/^insert into "runs".*"last_claimed_slot"/s, "tick: ledger insert (runs)"],
  [/^update "runs" set "state" = \?, "lease_until" = \?, "leases"/, "lease (runs)"],
  [/^insert into "outbox"/, "record: callback to the outbox"],
  [/^insert into "runs"/, "record: next attempt (runs)"],
  [/^update "cron_jobs" set .*"total_executions"/s, "record: job counters (cron_jobs)"],
  [/^insert into "log_bodies"/, "record: log text (log_bodies)"],
  [/^insert into "logs"/, "record: log (logs, its two indexes, log_hours)"],
  [/^update "runs" set "state" = \?, "lease_until" = (null|\?) where/, "record: ledger done (runs)"],
  [/^insert into "deliveries"/, "record: callback delivery (deliveries)"],
  [/^update "cron_jobs" set "is_active" = \?, "state"/, "record: job completed (cron_jobs)"],
  [/^update "runs" set "sent_at"/, "follow-ups: runs marked sent"],
  [/^update "deliveries" set "lease_until"/, "follow-ups: delivery leased"],
  [/^update "deliveries" set "state"/, "follow-ups: delivery outcome"],
  [/^delete from "outbox"/, "follow-ups: outbox entries deleted"],
  [/^update "runs" set "state" = \?, "reason"/, "ledger: skipped"],
  [/^update "api_keys"/, "api: key last_used_at"],
];
const isWrite = (sql: string) => /^\s*(insert|update|delete|replace)\b/i.test(sql);
const kindOf = (sql: string) =>
  KINDS.find(([re]) => re.test(sql))?.[1] ?? (isWrite(sql) ? `other: ${sql.slice(0, 60)}` : "reads");

/** FNV-1a: a stable number in [0, 1) per message, so a rerun picks the same ones. */
function unit(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0) / 2 ** 32;
}
const runIdOf = (body: unknown) => {
  const b = body as { type?: string; runId?: string } | null;
  return b?.type === "run" && typeof b.runId === "string" ? b.runId : null;
};

export function withFaults(worker: Worker): Worker {
  const state: BenchState = {
    faults: { duplicate: 0, fail: 0, delay_seconds: 3 },
    counters: Object.fromEntries([...COUNTERS, ...DUPLICATES].map((c) => [c, 0])) as BenchState["counters"],
    statements: {},
    batches: [],
  };
  const failedOnce = new Set<string>();
  const duplicatedOnce = new Set<string>();
  const count = (sql: string, r: D1Result) => {
    const kind = kindOf(sql);
    state.statements[kind] ??= { statements: 0, rows_written: 0, sample: sql.slice(0, 160) };
    const s = state.statements[kind];
    s.statements++;
    s.rows_written += r.meta?.rows_written ?? 0;
    return r;
  };
  const originals = new WeakMap<Statement, { orig: Statement; sql: string }>();
  const statement = (orig: Statement, sql: string): Statement => {
    const s: Statement = {
      bind: (...values) => statement(orig.bind(...values), sql),
      all: async () => count(sql, await orig.all()),
      run: async () => count(sql, await orig.run()),
      raw: async (options) => {
        if (!isWrite(sql)) return orig.raw(options);
        const rows = (count(sql, await orig.all()).results ?? []) as Array<Record<string, unknown>>;
        const arrays = rows.map((row) => Object.values(row));
        return options?.columnNames ? [Object.keys(rows[0] ?? {}), ...arrays] : arrays;
      },
      first: (column) => orig.first(column),
    };
    originals.set(s, { orig, sql });
    return s;
  };
  const database = (d1: D1): D1 => ({
    prepare: (sql) => statement(d1.prepare(sql), sql),
    batch: async (list) => {
      const results = await d1.batch(list.map((s) => originals.get(s)?.orig ?? s));
      return results.map((r, i) => count(originals.get(list[i] as Statement)?.sql ?? "?", r));
    },
    withSession: (constraint) => database(d1.withSession ? d1.withSession(constraint) : d1),
    getBookmark: () => d1.getBookmark?.() ?? null,
  });
  const queue = (q: Queue): Queue => {
    const sendBatch = async (messages: Iterable<SendRequest>, options?: unknown) => {
      const list = [...messages];
      const c = state.counters;
      c.send_calls++;
      const keys = list.map((m) => runIdOf(m.body) ?? JSON.stringify(m.body));
      if (!keys.some((k) => failedOnce.has(k)) && unit(`fail:${keys.join(",")}`) < state.faults.fail) {
        for (const k of keys) failedOnce.add(k);
        c.failed_sends++;
        c.failed_messages += list.length;
        throw new Error("bench: injected send failure");
      }
      const out: SendRequest[] = [];
      for (const m of list) {
        out.push(m);
        const id = runIdOf(m.body);
        if (id === null) continue;
        c.run_messages_sent++;
        if (duplicatedOnce.has(id) || unit(`dup:${id}`) >= state.faults.duplicate) continue;
        duplicatedOnce.add(id);
        const adjacent = unit(`how:${id}`) < 0.5;
        out.push(adjacent ? m : { ...m, delaySeconds: (m.delaySeconds ?? 0) + state.faults.delay_seconds });
        c[adjacent ? "duplicated_adjacent" : "duplicated_delayed"]++;
      }
      // At most 100 messages per sendBatch: the duplicates may push a full batch over it.
      let last: unknown;
      for (let i = 0; i < out.length; i += 100) last = await q.sendBatch(out.slice(i, i + 100), options);
      return last;
    };
    return { sendBatch, send: (body, options) => sendBatch([{ body, contentType: "json" }], options) };
  };
  const envs = new WeakMap<Env, Env>();
  const wrap = (env: Env): Env => {
    if (!envs.has(env)) {
      const dbs = Object.keys(env).filter((k) => k === "DB" || /^SHARD_\d+$/.test(k));
      envs.set(env, {
        ...env,
        RUNS: queue(env.RUNS),
        ...Object.fromEntries(dbs.map((k) => [k, database(env[k] as D1)])),
      });
    }
    return envs.get(env) as Env;
  };
  const json = (body: unknown) => Response.json(body);
  return {
    async fetch(request, env, ctx) {
      const { pathname, searchParams } = new URL(request.url);
      if (pathname === "/__bench/state") return json(state);
      if (pathname === "/__bench/params") {
        const n = Number(searchParams.get("n") ?? 101);
        const sql = `SELECT count(*) AS n WHERE 1 IN (${Array(n).fill("?").join(", ")})`;
        const query = env.DB.prepare(sql).bind(...Array(n).fill(1));
        return query.all().then(
          (r) => json({ n, ok: true, results: r.results }),
          (e) => json({ n, ok: false, error: String(e) }),
        );
      }
      if (pathname === "/__bench/faults") return json(Object.assign(state.faults, await request.json()));
      if (pathname === "/__bench/reset") {
        Object.assign(state, { statements: {}, batches: [] });
        for (const k of [...COUNTERS, ...DUPLICATES]) state.counters[k] = 0;
        return json(state);
      }
      return worker.fetch(request, wrap(env), ctx);
    },
    scheduled: (controller, env, ctx) => worker.scheduled(controller, wrap(env), ctx),
    async queue(batch, env, ctx) {
      const messages = batch.messages.map((m) => ({
        type: (m.body as { type?: string })?.type ?? "?",
        run_id: runIdOf(m.body),
      }));
      // Listed on arrival (finished_at 0 while it runs), so a batch that never ends shows.
      const record: BatchRecord = { queue: batch.queue, received_at: Date.now(), finished_at: 0, messages };
      state.batches.push(record);
      try {
        await worker.queue(batch, wrap(env), ctx);
      } finally {
        record.finished_at = Date.now();
      }
    },
  };
}
