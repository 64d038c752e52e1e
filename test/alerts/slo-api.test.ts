/**
 * `alerts.slo` through the jobs API (docs/API-NOTES.md "SLO alerts"): shown with every field, replaced whole by an
 * update, removed by null, and bad input is a 400 naming each bad field.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { expectProblem } from "../helpers/http";
import { jobsApi, quickStart } from "../helpers/jobs";

let acct: TestAccount;
let jobs: ReturnType<typeof jobsApi>;
beforeEach(async () => {
  acct = await createAccount();
  jobs = jobsApi(acct);
});

const fields = (problem: Record<string, unknown>) =>
  (problem.errors as Array<{ field: string }>).map((e) => e.field).sort();

describe("alerts.slo", () => {
  it("is null by default, round-trips with unset objectives as null, is replaced whole and removed by null", async () => {
    const plain = await jobs.create(quickStart());
    expect(plain.body.data.alerts.slo).toBeNull();

    const created = await jobs.create({
      ...quickStart(),
      alerts: { slo: { success_rate: 0.995, window_days: 30, burn_alerts: true } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.data.id as string;
    const slo = { success_rate: 0.995, latency_ms: null, latency_target: null, window_days: 30, burn_alerts: true };
    expect(created.body.data.alerts.slo).toEqual(slo);
    expect((await jobs.details(id)).body.data.alerts.slo).toEqual(slo);

    // Replaced whole: the success objective is gone, the latency one set.
    const latency = { latency_ms: 800, latency_target: 0.9, window_days: 7, burn_alerts: false };
    const updated = await jobs.update(id, { alerts: { slo: latency } });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body.data.alerts.slo).toEqual({ ...latency, success_rate: null });
    // Another alerts field leaves it as it is; the job object sent back as is changes nothing.
    expect((await jobs.update(id, { alerts: { on_missed: true } })).body.data.alerts.slo).toEqual({
      ...latency,
      success_rate: null,
    });
    const echoed = await jobs.update(id, updated.body.data);
    expect(echoed.status, JSON.stringify(echoed.body)).toBe(200);
    expect(echoed.body.data.alerts.slo).toEqual({ ...latency, success_rate: null });

    const removed = await jobs.update(id, { alerts: { slo: null } });
    expect(removed.body.data.alerts.slo).toBeNull();
  });

  it("bad SLOs are a 400 naming each bad field", async () => {
    const cases: Array<[Record<string, unknown>, string[]]> = [
      // latency_ms without its target, a window over 30 days, a rate of 100 %.
      [
        { success_rate: 1, latency_ms: 500, window_days: 31, burn_alerts: true },
        ["alerts.slo.latency_target", "alerts.slo.success_rate", "alerts.slo.window_days"],
      ],
      [{ latency_target: 0.9, window_days: 7, burn_alerts: true }, ["alerts.slo.latency_ms"]],
      [{ window_days: 7, burn_alerts: true }, ["alerts.slo.success_rate"]],
      [{ success_rate: 0.99, burn_alerts: true }, ["alerts.slo.window_days"]],
      [{ success_rate: 0.99, window_days: 7 }, ["alerts.slo.burn_alerts"]],
      [
        { success_rate: -0.1, latency_ms: 0, latency_target: 1.5, window_days: 0, burn_alerts: "yes" },
        [
          "alerts.slo.burn_alerts",
          "alerts.slo.latency_ms",
          "alerts.slo.latency_target",
          "alerts.slo.success_rate",
          "alerts.slo.window_days",
        ],
      ],
      [
        { success_rate: 0.99, window_days: 1.5, burn_alerts: true, extra: 1 },
        ["alerts.slo.extra", "alerts.slo.window_days"],
      ],
    ];
    for (const [slo, want] of cases) {
      const res = await jobs.create({ ...quickStart(), alerts: { slo } });
      expect(fields(expectProblem(res, 400)), JSON.stringify(slo)).toEqual(want);
    }
    const rate = await jobs.create({
      ...quickStart(),
      alerts: { slo: { success_rate: 1, window_days: 1, burn_alerts: true } },
    });
    expect(JSON.stringify(expectProblem(rate, 400).errors)).toMatch(/must be below 1/);
  });
});
