import { beforeAll, describe, expect, it } from "vitest";
import { consumeRun } from "../../src/engine/consume";
import { HOUR } from "../../src/logs/rollups";
import { CONTENT_TYPES } from "../../src/metrics/exposition";
import { latencyReads, latencyRowsQuery, newLatencyCache } from "../../src/metrics/latency";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { queuedRun, scriptedExecutor, testDeps } from "../helpers/engine";
import { db, insertJob, insertLogs } from "../helpers/fixtures";
import { api, expectProblem } from "../helpers/http";
import { shardD1 } from "../helpers/shards";
import { type ParsedFamily, parseOpenMetrics, parsePrometheus, sampleValue } from "./parse";

const PROMETHEUS_2 =
  "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
const WEIRD_NAME = 'Nightly "report" \\ to C:\\DIR\nsecond line';

describe("GET /v1/cron-jobs/{accountId}/metrics", () => {
  let acct: TestAccount;
  let other: TestAccount;
  let url: string;
  const now = Date.now();
  const ids = { weird: "", paused: "", deleted: "", engine: "" };

  beforeAll(async () => {
    other = await createAccount("Other metrics");
    await insertJob(other.accountId, { name: "Not mine" });
    acct = await createAccount("Metrics");
    url = `/v1/cron-jobs/${acct.accountId}/metrics`;
    ids.weird = (
      await insertJob(acct.accountId, {
        name: WEIRD_NAME,
        tags: JSON.stringify(["reports", "daily"]),
        createdAt: now - 3000,
        nextRunAt: now + 60_000,
        lastRunAt: now - 60_000,
        lastRunStatus: "failure",
        consecutiveFailures: 2,
        totalExecutions: 9,
        successfulExecutions: 5,
        failedExecutions: 4,
        errorExecutions: 1,
        timeoutExecutions: 1,
        skippedRuns: 3,
        skippedPaused: 1,
        skippedMissed: 7,
      })
    ).id as string;
    ids.paused = (
      await insertJob(acct.accountId, { name: "Paused", isActive: false, nextRunAt: now, createdAt: now - 2000 })
    ).id as string;
    ids.deleted = (await insertJob(acct.accountId, { name: "Gone", deletedAt: now, createdAt: now - 1000 }))
      .id as string;
    // Response times 1..100 ms in the current hour, 23 h ago (in the window) and 26 h ago (out of it); failures and
    // another job's runs do not count.
    const hourStart = Math.floor(now / HOUR) * HOUR;
    await insertLogs(ids.weird, acct.accountId, [
      ...Array.from({ length: 90 }, (_, i) => ({ executedAt: hourStart + i, responseTimeMs: i + 1 })),
      ...Array.from({ length: 10 }, (_, i) => ({ executedAt: hourStart - 23 * HOUR + i, responseTimeMs: 91 + i })),
      { executedAt: hourStart - 26 * HOUR, responseTimeMs: 90_000 },
      { executedAt: hourStart + 500, responseTimeMs: 5000, status: "failure", responseCode: 500 },
    ]);
  });

  const families = async (headers: Record<string, string>) => {
    const res = await api(url, { headers });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return { res, families: parsePrometheus(res.body as string) };
  };

  it("answers Prometheus text 0.0.4 by default, read by a real parser", async () => {
    const { res, families: f } = await families(acct.headers);
    expect(res.headers.get("content-type")).toBe(CONTENT_TYPES.prometheus);
    expect(res.headers.get("vary")).toBe("Accept");
    expect(f.map((x) => x.name)).toEqual([
      "edgecron_job_up",
      "edgecron_job_state",
      "edgecron_job_last_run_timestamp_seconds",
      "edgecron_job_last_status",
      "edgecron_job_consecutive_failures",
      "edgecron_job_runs_total",
      "edgecron_job_skipped_total",
      "edgecron_job_next_run_timestamp_seconds",
      "edgecron_job_response_time_seconds",
    ]);
    expect(f.find((x) => x.name === "edgecron_job_runs_total")?.type).toBe("COUNTER");
    expect(f.find((x) => x.name === "edgecron_job_state")?.type).toBe("GAUGE");
  });

  it("labels each live job of the account, the name and tags escaped and read back exactly", async () => {
    const { families: f } = await families(acct.headers);
    const up = f.find((x) => x.name === "edgecron_job_up") as ParsedFamily;
    expect(up.metrics.map((m) => m.labels)).toEqual([
      { job_id: ids.weird, job_name: WEIRD_NAME, tags: "reports,daily" },
      { job_id: ids.paused, job_name: "Paused", tags: "" },
    ]);
  });

  it("reports state, outcome, counters and times from the job row", async () => {
    const { families: f } = await families(acct.headers);
    const w = { job_id: ids.weird };
    const p = { job_id: ids.paused };
    expect(sampleValue(f, "edgecron_job_up", w)).toBe(0);
    expect(sampleValue(f, "edgecron_job_up", p)).toBe(1);
    expect(sampleValue(f, "edgecron_job_state", { ...w, edgecron_job_state: "active" })).toBe(1);
    expect(sampleValue(f, "edgecron_job_state", { ...w, edgecron_job_state: "paused" })).toBe(0);
    expect(sampleValue(f, "edgecron_job_state", { ...p, edgecron_job_state: "paused" })).toBe(1);
    expect(sampleValue(f, "edgecron_job_last_status", { ...w, edgecron_job_last_status: "failure" })).toBe(1);
    expect(sampleValue(f, "edgecron_job_last_status", { ...w, edgecron_job_last_status: "success" })).toBe(0);
    expect(sampleValue(f, "edgecron_job_last_status", p)).toBeUndefined();
    expect(sampleValue(f, "edgecron_job_last_run_timestamp_seconds", w)).toBe((now - 60_000) / 1000);
    expect(sampleValue(f, "edgecron_job_last_run_timestamp_seconds", p)).toBeUndefined();
    expect(sampleValue(f, "edgecron_job_next_run_timestamp_seconds", w)).toBe((now + 60_000) / 1000);
    // A paused job keeps next_run_at in its row but will not run it.
    expect(sampleValue(f, "edgecron_job_next_run_timestamp_seconds", p)).toBeUndefined();
    expect(sampleValue(f, "edgecron_job_consecutive_failures", w)).toBe(2);
    const runs = (status: string) => sampleValue(f, "edgecron_job_runs_total", { ...w, status });
    expect([runs("success"), runs("failure"), runs("error"), runs("timeout")]).toEqual([5, 2, 1, 1]);
    const skipped = (reason: string) => sampleValue(f, "edgecron_job_skipped_total", { ...w, reason });
    expect(["overlap", "paused", "missed", "calendar", "maintenance"].map(skipped)).toEqual([3, 1, 7, 0, 0]);
  });

  it("gives p50/p95/p99 of successful runs over the current hour and the 24 before it, in seconds", async () => {
    const { families: f } = await families(acct.headers);
    const q = (quantile: string) =>
      sampleValue(f, "edgecron_job_response_time_seconds", { job_id: ids.weird, quantile });
    // 100 successful runs of 1..100 ms: nearest rank is exact below 100 ms (src/logs/sketch.ts).
    expect([q("0.5"), q("0.95"), q("0.99")]).toEqual([0.05, 0.095, 0.099]);
    expect(sampleValue(f, "edgecron_job_response_time_seconds", { job_id: ids.paused })).toBeUndefined();
  });

  it("answers OpenMetrics 1.0 to Prometheus' Accept: UNIT lines, counters named without _total, # EOF", async () => {
    const res = await api(url, { headers: { ...acct.headers, Accept: PROMETHEUS_2 } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(CONTENT_TYPES.openmetrics);
    const om = parseOpenMetrics(res.body as string);
    expect(om.get("edgecron_job_runs")?.type).toBe("counter");
    expect(om.get("edgecron_job_skipped")?.type).toBe("counter");
    expect(om.get("edgecron_job_state")?.type).toBe("stateset");
    expect(om.get("edgecron_job_last_status")?.type).toBe("stateset");
    expect(om.get("edgecron_job_last_run_timestamp_seconds")?.unit).toBe("seconds");
    expect(om.get("edgecron_job_response_time_seconds")?.unit).toBe("seconds");
    expect(om.get("edgecron_job_runs")?.samples).toContain(
      `edgecron_job_runs_total{job_id="${ids.paused}",job_name="Paused",tags="",status="success"} 0`,
    );
    expect(res.body).toContain('job_name="Nightly \\"report\\" \\\\ to C:\\\\DIR\\nsecond line"');
  });

  it("refuses an Accept that names neither format with a 406 problem", async () => {
    const res = await api(url, { headers: { ...acct.headers, Accept: "application/json" } });
    expectProblem(res, 406);
  });

  it("refuses unknown query parameters with a 400 problem naming each, as the logs endpoints do", async () => {
    const one = expectProblem(await api(`${url}?job_id=abc`, { headers: acct.headers }), 400);
    expect(one.detail).toBe("Invalid query parameter 'job_id': Unknown field");
    expect(one.errors).toEqual([{ field: "job_id", in: "query", message: "Unknown field" }]);
    const two = expectProblem(await api(`${url}?job_id=abc&name[]=x&job_id=d`, { headers: acct.headers }), 400);
    expect((two.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(["job_id", "name[]"]);
    // Refused before the Accept is weighed: the request is wrong whatever format it asks for.
    expectProblem(await api(`${url}?x=1`, { headers: { ...acct.headers, Accept: "application/json" } }), 400);
  });

  describe("credentials", () => {
    let readOnly: { key: string; secret: string };
    beforeAll(async () => {
      const res = await api(`/v1/cron-jobs/${acct.accountId}/keys`, {
        method: "POST",
        headers: { ...acct.headers, "Content-Type": "application/json" },
        body: JSON.stringify({ name: "prometheus", scope: "read_only" }),
      });
      expect(res.status).toBe(201);
      readOnly = { key: res.body.data.id, secret: res.body.data.api_secret };
    });
    const basic = (user: string, pass: string) => `Basic ${btoa(`${user}:${pass}`)}`;

    it("a read-only key in the two headers, as Bearer <key>:<secret>, or as Basic auth", async () => {
      const ways: Array<Record<string, string>> = [
        { "X-API-Key": readOnly.key, "X-API-Secret": readOnly.secret },
        { Authorization: `Bearer ${readOnly.key}:${readOnly.secret}` },
        { Authorization: `bearer  ${readOnly.key}:${readOnly.secret}` },
        { Authorization: basic(readOnly.key, readOnly.secret) },
      ];
      for (const headers of ways) await families(headers);
    });

    it.each<[string, () => Record<string, string>]>([
      ["no credentials", () => ({})],
      ["a wrong Bearer secret", () => ({ Authorization: `Bearer ${readOnly.key}:es_wrong` })],
      ["a Bearer token without a colon", () => ({ Authorization: `Bearer ${readOnly.key}` })],
      ["a wrong Basic password", () => ({ Authorization: basic(readOnly.key, "nope") })],
      ["Basic that is not base64", () => ({ Authorization: "Basic %%%" })],
      ["Basic that is not UTF-8", () => ({ Authorization: `Basic ${btoa("\xff\xfe:\xff")}` })],
      ["another scheme", () => ({ Authorization: `Token ${readOnly.key}:${readOnly.secret}` })],
    ])("%s → 401 problem with a challenge", async (_name, headers) => {
      const res = await api(url, { headers: headers() });
      expectProblem(res, 401, "Missing or invalid API credentials");
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer realm="edgecron", Basic realm="edgecron"/);
    });

    it("another account's key → 403, whichever way it is sent", async () => {
      expectProblem(await api(url, { headers: other.headers }), 403);
      const auth = `Bearer ${other.headers["X-API-Key"]}:${other.headers["X-API-Secret"]}`;
      expectProblem(await api(url, { headers: { Authorization: auth } }), 403);
    });

    it("the key headers win over Authorization when both are sent", async () => {
      const res = await api(url, {
        headers: {
          "X-API-Key": readOnly.key,
          "X-API-Secret": "es_wrong",
          Authorization: basic(readOnly.key, readOnly.secret),
        },
      });
      expectProblem(res, 401);
    });

    it("other routes do not take Authorization (no ambient credentials on writes) and send no challenge", async () => {
      const auth = { Authorization: basic(acct.apiKey, acct.apiSecret) };
      const list = await api(`/v1/cron-jobs/${acct.accountId}/list`, { headers: auth });
      expectProblem(list, 401);
      expect(list.headers.get("www-authenticate")).toBeNull();
      const del = await api(`/v1/cron-jobs/${acct.accountId}/delete/${ids.paused}`, {
        method: "DELETE",
        headers: auth,
      });
      expectProblem(del, 401);
    });
  });

  it("runs_total follows recorded attempts by status, in the UPDATE that already writes the job", async () => {
    const job = await insertJob(acct.accountId, { name: "Engine", createdAt: now });
    const slot = now - 10 * 60_000;
    const statuses = ["error", "timeout", "failure", "success"] as const;
    for (const [i, status] of statuses.entries()) {
      const deps = testDeps({
        executor: scriptedExecutor({ status, responseCode: status === "failure" ? 500 : null }),
      });
      const msg = await queuedRun({ id: job.id as string, accountId: acct.accountId }, slot + i * 60_000, {});
      expect((await consumeRun(deps, msg)).result).toBe("executed");
    }
    const { families: f } = await families(acct.headers);
    const runs = (status: string) => sampleValue(f, "edgecron_job_runs_total", { job_id: job.id as string, status });
    // A failed attempt's retry is queued, not run here: one attempt of each status was recorded.
    expect(statuses.map(runs)).toEqual([1, 1, 1, 1]);
  });

  it("skipped_total{reason=paused} counts a queued run its paused job skips, once per run", async () => {
    const job = await insertJob(acct.accountId, { name: "Paused later", createdAt: now, isActive: false });
    const msg = await queuedRun({ id: job.id as string, accountId: acct.accountId }, now - 5 * 60_000, {});
    const deps = testDeps();
    expect((await consumeRun(deps, msg)).result).toBe("skipped");
    await consumeRun(deps, msg); // a redelivery: the run is no longer queued
    const { families: f } = await families(acct.headers);
    expect(sampleValue(f, "edgecron_job_skipped_total", { job_id: job.id as string, reason: "paused" })).toBe(1);
  });

  /** SQLite's plan of a drizzle query, its lines joined. */
  async function planOf(query: { toSQL(): { sql: string; params: unknown[] } }): Promise<string> {
    const { sql, params } = query.toSQL();
    const { results } = await shardD1()
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .bind(...params)
      .all<{ detail: string }>();
    return results.map((r) => r.detail).join("\n");
  }

  it("reads the latencies of the open and the closed hours by log_hours key ranges, never a scan", async () => {
    const last = Math.floor(now / HOUR);
    for (const [query, hours] of [
      [latencyRowsQuery(db(), acct.accountId, last - 1, null), /hour>\?\)/],
      [latencyRowsQuery(db(), acct.accountId, last - 24, last - 2, [ids.weird]), /hour>\? AND hour<\?\)/],
    ] as const) {
      const plan = await planOf(query);
      expect(plan).not.toMatch(/SCAN (logs|log_hours|cron_jobs)(?! USING)/);
      expect(plan).toMatch(
        new RegExp(`SEARCH log_hours USING PRIMARY KEY \\(job=\\? AND status=\\? AND ${hours.source}`),
      );
      expect(plan).toMatch(/SEARCH cron_jobs USING (COVERING )?INDEX cron_jobs_account_created_idx \(account_id=\?\)/);
      expect(plan).toMatch(
        /SEARCH logs USING (COVERING )?INDEX logs_account_time_idx \(account=\? AND executed_at>\? AND executed_at<\?\)/,
      );
    }
  });

  it("reads latency windows and the hours they roll over by primary key, never a scan", async () => {
    const reads = latencyReads(db(), acct.accountId, now, newLatencyCache(), 0);
    for (const query of [reads.rolledQuery, reads.closedQuery]) {
      const plan = await planOf(query);
      expect(plan).not.toMatch(/SCAN (logs|log_hours|cron_jobs|latency_windows)(?! USING)/);
      expect(plan).toMatch(/SEARCH latency_windows USING INTEGER PRIMARY KEY \(rowid=\?\)/);
      expect(plan).toMatch(/SEARCH log_hours USING PRIMARY KEY \(job=\? AND status=\? AND hour>\? AND hour<\?\)/);
    }
  });
});
