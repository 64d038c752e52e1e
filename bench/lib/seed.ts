/**
 * Accounts (newAccount) and jobs (buildNewJob) in the seed's mix, written with node:sqlite; the load tests' read mix.
 */
import type { DatabaseSync } from "node:sqlite";
import { type NewAccount, newAccount } from "../../src/accounts/provision";
import { mulberry32 } from "../../src/engine/executors/mock";
import { buildNewJob, type NewJobRow } from "../../src/jobs/build";
import { CreateJobSchema } from "../../src/jobs/schemas";
import { type BenchAccount, bigJobHeaders, columnsOf, d1Files, keyHeaders, openDb, readMeta } from "./harness";

const SCHEDULES = [
  { repeat_type: "hourly", repeat_every: 1, time: "00:15", end_type: "never" },
  { repeat_type: "days", repeat_every: 1, time: "09:00", end_type: "never" },
  { repeat_type: "weeks", repeat_every: 1, time: "06:30", days_of_week: ["1", "3", "5"], end_type: "never" },
  ...["*/5 * * * *", "*/15 9-17 * * 1-5", "* * * * *"].map((cron) => ({ cron })),
];
const TIMEZONES = ["UTC", "America/New_York", "Europe/London", "Asia/Tokyo", "Australia/Sydney"];

/** Job i of the seed's mix: schedules, zones, methods, headers, bodies, tags and retries cycle. */
export function jobInput(r: () => number, i: number, over: Record<string, unknown> = {}) {
  const even = i % 2 === 0;
  return CreateJobSchema.parse({
    name: `Bench job ${i}`,
    description: i % 3 === 0 ? "Synthetic job for the benchmarks" : undefined,
    endpoint_url: `https://api${i % 7}.example.com/hooks/${i}`,
    method: ["GET", "POST", "PUT"][i % 3],
    headers: even ? { Authorization: "Bearer bench-token", "Content-Type": "application/json" } : undefined,
    body: even ? JSON.stringify({ job: i }) : undefined,
    timezone: TIMEZONES[i % TIMEZONES.length],
    schedule_config: SCHEDULES[i % SCHEDULES.length],
    tags: i % 4 === 0 ? ["bench", `group-${i % 10}`] : ["bench"],
    retry_config: { max_retries: Math.floor(r() * 4), retry_delay_seconds: [30, 60, 120][i % 3], timeout_seconds: 30 },
    ...over,
  });
}

/** INSERT of a job row (booleans 0/1, as D1 stores them); with `columns`, only the columns the table has. */
export function jobInsert(row: NewJobRow & Record<string, unknown>, columns?: Set<string>) {
  const column = (key: string) => key.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);
  const keys = Object.keys(row).filter((k) => !columns || columns.has(column(k)));
  return {
    sql: `INSERT INTO cron_jobs (${keys.map(column).join(", ")}) VALUES (${keys.map(() => "?").join(", ")})`,
    params: keys.map((k) => (typeof row[k] === "boolean" ? Number(row[k]) : (row[k] as string | number | null))),
  };
}

/** Runs fn on the bench state's control plane in a transaction of its own. */
function onControl(fn: (db: DatabaseSync) => void) {
  const db = openDb(d1Files().control);
  try {
    db.exec("BEGIN");
    fn(db);
    db.exec("COMMIT");
  } finally {
    if (db.isTransaction) db.exec("ROLLBACK");
    db.close();
  }
}

/** `n` accounts `<label> 001…` created at `at`: shard rows into `db` (SHARD_0's), keys in the control plane. */
export async function insertAccounts(db: DatabaseSync, n: number, label: string, at: number): Promise<BenchAccount[]> {
  const made: NewAccount[] = [];
  for (let a = 1; a <= n; a++) made.push(await newAccount(`${label} ${String(a).padStart(3, "0")}`, at));
  for (const s of made.flatMap((acc) => acc.shardStatements)) db.prepare(s.sql).run(...s.params);
  onControl((control) => {
    for (const s of made.flatMap((acc) => acc.controlStatements(0))) control.prepare(s.sql).run(...s.params);
  });
  return made.map(({ account_id, api_key, api_secret }) => ({ account_id, api_key, api_secret }));
}

/** Removes a previous run's accounts `<label> …` with their jobs, logs, ledger and keys. */
export function removeAccounts(db: DatabaseSync, label: string) {
  const rows = db.prepare("SELECT id FROM accounts WHERE name LIKE ?").all(`${label} %`) as Array<{ id: string }>;
  const json = JSON.stringify(rows.map((r) => r.id));
  const ids = "(SELECT value FROM json_each(?))";
  const nums = (table: string, col: string) => `(SELECT num FROM ${table} WHERE ${col} IN ${ids})`;
  const del = (sql: string) => db.prepare(sql).run(json);
  // Every table by the column that names the account or its jobs: the schema grows, the cleanup follows.
  const tables = db.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('accounts', 'cron_jobs')",
  );
  for (const { name } of tables.all() as Array<{ name: string }>) {
    const cols = columnsOf(db, name);
    if (cols.has("account_id")) del(`DELETE FROM "${name}" WHERE account_id IN ${ids}`);
    else if (cols.has("account")) del(`DELETE FROM "${name}" WHERE account IN ${nums("accounts", "id")}`);
    else if (cols.has("job")) del(`DELETE FROM "${name}" WHERE job IN ${nums("cron_jobs", "account_id")}`);
  }
  del(`DELETE FROM cron_jobs WHERE account_id IN ${ids}`);
  del(`DELETE FROM accounts WHERE id IN ${ids}`);
  onControl((control) => {
    for (const t of ["api_keys", "account_shards"])
      control.prepare(`DELETE FROM ${t} WHERE account_id IN ${ids}`).run(json);
    control.prepare(`DELETE FROM accounts WHERE id IN ${ids}`).run(json);
  });
}

/**
 * Replaces SHARD_0's accounts `<label> …` by fresh ones holding `n` jobs (`perAccount` each) of the seed's mix, job
 * i due at `nextRunAt(i)`; while wrangler is stopped.
 */
export async function insertJobs(
  label: string,
  n: number,
  perAccount: number,
  o: { seed: number; created: number; nextRunAt: (r: () => number) => number; input?: Record<string, unknown> },
) {
  const db = openDb(d1Files().shards[0] as string);
  db.exec("BEGIN");
  removeAccounts(db, label);
  const accounts = await insertAccounts(db, Math.ceil(n / perAccount), label, o.created);
  const r = mulberry32(o.seed);
  const jobs = Array.from({ length: n }, (_, i) => {
    const row = buildNewJob(
      (accounts[Math.floor(i / perAccount)] as BenchAccount).account_id,
      jobInput(r, i, o.input),
      o.created,
    );
    const ins = jobInsert({ ...row, nextRunAt: o.nextRunAt(r) });
    db.prepare(ins.sql).run(...ins.params);
    return row.id;
  });
  db.exec("COMMIT");
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  return { accounts, jobs };
}

/** The load tests' read mix: the big job's logs (page 1, a filter, a cursor page), account-wide logs, the own job's. */
export async function mixedReads(base: string, account: BenchAccount, jobId: string) {
  const meta = readMeta();
  const [big, own] = [`/v1/cron-jobs/${meta.bigJob.accountId}/logs`, `/v1/cron-jobs/${account.account_id}`];
  const page1 = `${big}/${meta.bigJob.id}?limit=50`;
  const res = await fetch(base + page1, { headers: bigJobHeaders(meta) });
  const cursor = encodeURIComponent(
    ((await res.json()) as { pagination: { next_cursor: string } }).pagination.next_cursor,
  );
  const bigReads = [page1, `${page1}&status=failure`, `${page1}&cursor=${cursor}`, `${big}?limit=20`];
  const ownReads = [
    `${own}/logs?limit=20`,
    `${own}/logs/${jobId}?limit=20`,
    `${own}/details/${jobId}`,
    `${own}/list?limit=20`,
    `${own}/stats/${jobId}`,
  ];
  return [
    ...bigReads.map((path) => ({ method: "GET" as const, path, headers: bigJobHeaders(meta) })),
    ...ownReads.map((path) => ({ method: "GET" as const, path, headers: keyHeaders(account) })),
  ];
}
