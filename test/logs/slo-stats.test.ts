/**
 * GET …/stats/{id} shows the job's SLO (alerts.slo) over the window_days ending now: each objective's target,
 * current value and error budget left, whatever range the stats themselves cover; null without an SLO.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { insertJob, insertLogs, type LogInput } from "../helpers/fixtures";
import { api } from "../helpers/http";
import { shardD1 } from "../helpers/shards";

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

let acct: TestAccount;
const get = (id: string, query = "") =>
  api(`/v1/cron-jobs/${acct.accountId}/stats/${id}${query}`, { headers: acct.headers });

const SLO = { success_rate: 0.9, latency_ms: 500, latency_target: 0.8, window_days: 7, burn_alerts: false };

/**
 * Hand-computed, relative to now. Three days ago (whole hours: rollups and sketches): 10 successes of 100, 200, 300,
 * 400, 450, 480, 520, 600, 700, 800 ms. Ten minutes ago (edge hour or rollup): 9 successes of 50 ms and a failure
 * (100 ms, not a latency event). Eight days ago, outside the 7 days: 5 failures.
 * success rate: 19 / 20 = 0.95; budget 0.1, spent 0.05: 0.5 left.
 * latency: 15 of 19 successes ≤ 500 ms = 0.789…; budget 0.2, spent 4/19 = 0.2105…: 1 − 20/19 = −1/19 left.
 */
function fixture(now: number): LogInput[] {
  const threeDays = Math.floor((now - 3 * DAY) / HOUR) * HOUR + 5 * MIN;
  const times = [100, 200, 300, 400, 450, 480, 520, 600, 700, 800];
  return [
    ...times.map((ms, i) => ({ executedAt: threeDays + i * MIN, responseTimeMs: ms })),
    ...Array.from({ length: 9 }, (_, i) => ({ executedAt: now - 10 * MIN - i * 1000, responseTimeMs: 50 })),
    { executedAt: now - 10 * MIN + 1000, status: "failure" as const, responseCode: 500, responseTimeMs: 100 },
    ...Array.from({ length: 5 }, (_, i) => ({
      executedAt: now - 8 * DAY - i * MIN,
      status: "failure" as const,
      responseCode: 500,
    })),
  ];
}

describe("the SLO in a job's stats", () => {
  let jobId: string;
  let plainId: string;
  let now: number;
  beforeAll(async () => {
    acct = await createAccount();
    now = Date.now();
    jobId = (await insertJob(acct.accountId, { alertPolicy: JSON.stringify({ slo: SLO }) })).id as string;
    plainId = (await insertJob(acct.accountId)).id as string;
    await insertLogs(jobId, acct.accountId, fixture(now));
    await insertLogs(plainId, acct.accountId, fixture(now));
  });

  it("shows each objective's target, current value and error budget left over window_days", async () => {
    // A stats range a month back: the SLO is over its own 7 days ending now all the same.
    const res = await get(jobId, `?start_date=${new Date(now - 20 * DAY).toISOString()}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const slo = res.body.data.slo;
    expect(slo).toEqual({
      window_days: 7,
      window_start: expect.any(String),
      window_end: expect.any(String),
      burn_alerts: false,
      burning_since: null,
      success_rate: { target: 0.9, current: expect.closeTo(0.95, 12), error_budget_remaining: expect.closeTo(0.5, 12) },
      latency: {
        latency_ms: 500,
        target: 0.8,
        current: expect.closeTo(15 / 19, 12),
        error_budget_remaining: expect.closeTo(-1 / 19, 12),
      },
    });
    const end = Date.parse(slo.window_end);
    expect(Math.abs(end - Date.now())).toBeLessThan(60_000);
    expect(end - Date.parse(slo.window_start)).toBe(7 * DAY);
    // The range's own figures count the failures 8 days ago too.
    expect(res.body.data.total).toBe(25);
  });

  it("is null for a job without an SLO", async () => {
    const res = await get(plainId);
    expect(res.status).toBe(200);
    expect(res.body.data.slo).toBeNull();
  });

  it("a job with only a success objective shows latency null; no runs: current null, the whole budget left", async () => {
    const only = await insertJob(acct.accountId, {
      alertPolicy: JSON.stringify({ slo: { success_rate: 0.99, window_days: 30, burn_alerts: true } }),
    });
    const burnAt = Date.UTC(2026, 0, 2, 3, 4, 5);
    await shardD1().prepare("UPDATE cron_jobs SET alert_slo_burn_at = ? WHERE id = ?").bind(burnAt, only.id).run();
    const res = await get(only.id as string);
    expect(res.body.data.slo).toMatchObject({
      window_days: 30,
      burn_alerts: true,
      burning_since: "2026-01-02T03:04:05Z",
      success_rate: { target: 0.99, current: null, error_budget_remaining: 1 },
      latency: null,
    });
  });
});
