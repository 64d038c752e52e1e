/**
 * The store migration, online: a shard holding logs in the layout before log_bodies (text inline, body NULL, in no
 * rollup) answers every read exactly while its rows move a chunk at a time, and loses nothing.
 */
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { LEGACY_UNTIL, migrateChunk, migrateStore } from "../../src/engine/migrate-logs";
import { executionId } from "../../src/lib/execution-id";
import { logKeyOf } from "../../src/logs/log-key";
import { kindOf, statusNumber } from "../../src/logs/log-row";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { insertJob, insertLogs } from "../helpers/fixtures";
import { api, BASE, bodyText } from "../helpers/http";
import { accountD1, accountDb } from "../helpers/shards";

const T0 = Date.UTC(2026, 10, 2, 7, 20, 0);
const MIN = 60_000;
const LEGACY = 37;
const CURRENT = 13;
const statuses = ["success", "failure", "error", "timeout"] as const;

let acct: TestAccount;
let jobId: string;
let d1: D1Database;

const legacyText = (i: number) => ({
  body: i % 5 === 4 ? null : i % 3 === 0 ? `{"items":[${"1,".repeat(i)}0],"note":"ünïcødé 🚀"}` : `ok ${i}`,
  error: i % 4 === 2 ? `connect ECONNREFUSED 127.0.0.1:${9000 + i}` : null,
  headers: i % 2 === 0 ? `{"content-type":"application/json","x-i":"${i}"}` : null,
});

/** A log as the layout before log_bodies held it: text inline, body NULL, counted by no rollup. */
async function insertLegacy(i: number) {
  const id = executionId(jobId, T0 + i * 7 * MIN, 0);
  const key = logKeyOf(id);
  if (!key) throw new Error("no key");
  const t = legacyText(i);
  const status = statuses[i % 4] ?? "success";
  await d1
    .prepare(
      `INSERT INTO logs (slot, id_hi, id_lo, job, account, executed_at, status, kind, response_code, response_time_ms,
        retry_attempt, decided_by, error_message, response_headers, response_body, body)
       SELECT ?, ?, ?, j.num, a.num, ?, ?, ?, ?, ?, 0, NULL, ?, ?, ?, NULL FROM cron_jobs j, accounts a
       WHERE j.id = ? AND a.id = ?`,
    )
    .bind(
      key.slot,
      key.hi,
      key.lo,
      T0 + i * 7 * MIN + 500,
      statusNumber(status),
      kindOf("schedule", true),
      status === "timeout" ? null : 200 + i,
      status === "timeout" ? null : 10 + ((i * 37) % 900),
      t.error,
      t.headers,
      t.body,
      jobId,
      acct.accountId,
    )
    .run();
}

/** Everything a customer can read about the job: pages with totals, a status filter, the export, the stats. */
async function readAll() {
  const base = `/v1/cron-jobs/${acct.accountId}`;
  const pages = [];
  for (let page = 1; page <= 3; page++) {
    const res = await api(`${base}/logs/${jobId}?limit=20&page=${page}`, { headers: acct.headers });
    expect(res.status).toBe(200);
    pages.push(res.body);
  }
  const failures = await api(`${base}/logs/${jobId}?limit=100&status=failure`, { headers: acct.headers });
  const account = await api(`${base}/logs?limit=100&status=error`, { headers: acct.headers });
  const exp = await SELF.fetch(`${BASE}${base}/logs/${jobId}/export?format=ndjson`, { headers: acct.headers });
  const range = `start_date=${new Date(T0 - 3_600_000).toISOString()}&end_date=${new Date(T0 + 400 * MIN).toISOString()}`;
  const stats = await api(`${base}/stats/${jobId}?bucket=hour&${range}`, { headers: acct.headers });
  expect(stats.status).toBe(200);
  return { pages, failures: failures.body, account: account.body, export: await bodyText(exp), stats: stats.body };
}

describe("the store migration", () => {
  beforeAll(async () => {
    acct = await createAccount();
    jobId = (await insertJob(acct.accountId)).id;
    d1 = await accountD1(acct.accountId);
    for (let i = 0; i < LEGACY; i++) await insertLegacy(i);
    // Legacy rows were written before the rollups existed: the trigger's counts for them are not there.
    await d1.prepare("DELETE FROM log_hours WHERE job = (SELECT num FROM cron_jobs WHERE id = ?)").bind(jobId).run();
    await d1
      .prepare("INSERT OR REPLACE INTO shard_state (key, value) VALUES (?, ?)")
      .bind(LEGACY_UNTIL, T0 + LEGACY * 7 * MIN + 300_000)
      .run();
    // Logs written since the deploy, in the current layout, after the legacy ones.
    await insertLogs(
      jobId,
      acct.accountId,
      Array.from({ length: CURRENT }, (_, i) => ({
        id: executionId(jobId, T0 + (LEGACY + i) * 7 * MIN, 0),
        executedAt: T0 + (LEGACY + i) * 7 * MIN + 500,
        status: statuses[i % 4],
        responseBody: i % 2 ? `{"current":${i}}` : null,
        responseTimeMs: 20 + i,
      })),
    );
  });

  it("keeps every read exact while it moves legacy rows in chunks, and loses nothing", async () => {
    const before = await readAll();
    expect(before.pages[0].pagination.total_items).toBe(LEGACY + CURRENT);
    expect(before.stats.data.total).toBe(LEGACY + CURRENT);
    let chunks = 0;
    for (;;) {
      const r = await migrateChunk(await accountDb(acct.accountId), 9);
      chunks++;
      expect(await readAll()).toEqual(before);
      if (r.done) break;
      expect(chunks).toBeLessThan(20);
    }
    expect(chunks).toBe(Math.ceil((LEGACY + 1) / 9));
    const left = await d1.prepare("SELECT count(*) AS n FROM logs WHERE body IS NULL").first<{ n: number }>();
    expect(left?.n).toBe(0);
    const inline = await d1
      .prepare("SELECT count(*) AS n FROM logs WHERE response_body IS NOT NULL OR error_message IS NOT NULL")
      .first<{ n: number }>();
    expect(inline?.n).toBe(0);
    expect(await d1.prepare("SELECT * FROM shard_state WHERE key LIKE 'legacy%'").all()).toMatchObject({
      results: [],
    });
    // The rollups now hold every log, as the insert trigger would have counted them.
    const counts = await d1
      .prepare(
        `SELECT h.status, h.hour, h.n, (SELECT count(*) FROM logs l WHERE l.job = h.job AND l.status = h.status
           AND l.executed_at / 3600000 = h.hour) AS actual FROM log_hours h WHERE h.job = (SELECT num FROM cron_jobs WHERE id = ?)`,
      )
      .bind(jobId)
      .all<{ n: number; actual: number }>();
    expect(counts.results.length).toBeGreaterThan(0);
    for (const row of counts.results) expect(row.n).toBe(row.actual);
    expect(counts.results.reduce((a, r) => a + r.n, 0)).toBe(LEGACY + CURRENT);
    expect(await readAll()).toEqual(before);
  });

  it("a shard with nothing legacy does nothing", async () => {
    expect(await migrateChunk(await accountDb(acct.accountId), 9)).toEqual({ moved: 0, done: true });
    expect(await migrateStore(await accountDb(acct.accountId))).toMatchObject({ moved: 0, runs_moved: 0, done: true });
  });
});
