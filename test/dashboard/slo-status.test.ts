/**
 * The job page's SLO panel (src/dashboard/client/slo-status.ts): each objective of GET …/stats/{id}'s `slo` as a
 * row with its objective, current value and error budget left; no rows without an SLO.
 */
import { describe, expect, it } from "vitest";
import { burnText, percent, sloRows } from "../../src/dashboard/client/slo-status";
import type { SloStatus } from "../../src/dashboard/client/types";
import { createAccount } from "../helpers/accounts";
import { insertJob, insertLogs } from "../helpers/fixtures";
import { api } from "../helpers/http";

const MIN = 60_000;
const status = (over: Partial<NonNullable<SloStatus>> = {}): NonNullable<SloStatus> => ({
  window_days: 14,
  window_start: "2099-01-01T00:00:00Z",
  window_end: "2099-01-15T00:00:00Z",
  burn_alerts: true,
  burning_since: null,
  success_rate: null,
  latency: null,
  ...over,
});

describe("percent", () => {
  it("shows at most two decimals, and never 100 % for a fraction under 1", () => {
    expect([percent(0.99), percent(0.995), percent(0.12345), percent(1), percent(0.99999), percent(0)]).toEqual([
      "99 %",
      "99.5 %",
      "12.35 %",
      "100 %",
      "99.99 %",
      "0 %",
    ]);
  });
});

describe("sloRows", () => {
  it("is empty for a job without an SLO", () => {
    expect(sloRows(null)).toEqual([]);
  });

  it("describes each objective, its current value and the budget left (low under a quarter, spent at 0)", () => {
    const rows = sloRows(
      status({
        success_rate: { target: 0.99, current: 0.995, error_budget_remaining: 0.5 },
        latency: { latency_ms: 800, target: 0.9, current: 0.88, error_budget_remaining: -0.2 },
      }),
    );
    expect(rows).toEqual([
      {
        key: "success_rate",
        objective: "99 % of runs succeed",
        current: "99.5 % succeeded",
        budget: 0.5,
        budgetText: "50 % left",
        budgetState: "ok",
      },
      {
        key: "latency",
        objective: "90 % of successful runs take at most 800 ms",
        current: "88 % within 800 ms",
        budget: -0.2,
        budgetText: "spent, overspent by 20 %",
        budgetState: "spent",
      },
    ]);
    const low = sloRows(status({ success_rate: { target: 0.9, current: 0.98, error_budget_remaining: 0.2 } }));
    expect(low[0]?.budgetState).toBe("low");
  });

  it("says when the window holds no run to count", () => {
    const [row] = sloRows(status({ success_rate: { target: 0.9, current: null, error_budget_remaining: 1 } }));
    expect(row).toMatchObject({ current: "no runs in the window", budgetText: "100 % left", budgetState: "ok" });
  });

  it("says whether the budget burns fast", () => {
    expect(burnText(status())).toBe("Not burning fast");
    expect(burnText(status({ burning_since: "2099-01-14T00:00:00Z" }))).toBe("Burning fast: slo_burn sent");
    expect(burnText(status({ burn_alerts: false }))).toBe("Burn alerts off");
  });

  it("reads the stats API's `slo` as it is sent", async () => {
    const acct = await createAccount("SLO panel");
    const slo = { success_rate: 0.9, latency_ms: 500, latency_target: 0.8, window_days: 7, burn_alerts: false };
    const id = (await insertJob(acct.accountId, { alertPolicy: JSON.stringify({ slo }) })).id as string;
    const plain = (await insertJob(acct.accountId)).id as string;
    const now = Date.now();
    // 9 fast successes and a failure: 90 % succeed (the whole budget spent), 9 of 9 successes fast.
    await insertLogs(id, acct.accountId, [
      ...Array.from({ length: 9 }, (_, i) => ({ executedAt: now - 10 * MIN - i * 1000, responseTimeMs: 50 })),
      { executedAt: now - 10 * MIN + 1000, status: "failure" as const, responseCode: 500, responseTimeMs: 100 },
    ]);
    const stats = async (job: string) => {
      const res = await api(`/v1/cron-jobs/${acct.accountId}/stats/${job}`, { headers: acct.headers });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.data.slo as SloStatus;
    };
    const rows = sloRows(await stats(id));
    expect(rows.map((r) => [r.objective, r.current, r.budgetState])).toEqual([
      ["90 % of runs succeed", "90 % succeeded", "spent"],
      ["80 % of successful runs take at most 500 ms", "100 % within 500 ms", "ok"],
    ]);
    expect(await stats(plain)).toBeNull();
  });
});
