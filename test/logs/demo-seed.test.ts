import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { DEMO, demoSeedSql } from "../../scripts/lib/demo";
import { config } from "../../src/config";
import { createDb } from "../../src/db/client";
import { accountJobFamilies } from "../../src/metrics/job-metrics";
import { run } from "../helpers/accounts";

type Seeded = {
  cron_job_id: string;
  scheduled_at: number;
  retry_attempt: number;
  status: string;
  response_code: number | null;
  error_message: string | null;
  decided_by: string | null;
};

/**
 * The demo seed's history as stored: `npm start` shows it, so it must read like the engine's own logs (README "The
 * logs endpoint": decided_by names the deciding success rule; null only for an error or a timeout).
 */
describe("the demo seed's logs", () => {
  let rows: Seeded[];
  const now = Date.UTC(2026, 10, 15, 14, 30);

  beforeAll(async () => {
    const ring = config(env).secrets;
    if (!ring.ok) throw new Error(ring.reason);
    const { account, statements, logs } = await demoSeedSql(now, ring.keyring);
    // As scripts/seed.ts does: the directory entry, then the seed's SQL on the account's shard.
    await run(account.controlStatements(0));
    await env.SHARD_0.batch(statements.map((s) => env.SHARD_0.prepare(s)));
    const { results } = await env.SHARD_0.prepare(
      "SELECT cron_job_id, scheduled_at, retry_attempt, status, response_code, error_message, decided_by FROM execution_logs WHERE account_id = ?",
    )
      .bind(DEMO.account_id)
      .all<Seeded>();
    rows = results;
    expect(rows).toHaveLength(logs);
  });

  it("has every status to show", () => {
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(["success", "failure", "error", "timeout"]));
  });

  it("names the deciding rule on every response (the demo jobs keep the default status_codes rule)", () => {
    const judged = rows.filter((r) => r.status === "success" || r.status === "failure");
    expect(judged.length).toBeGreaterThan(0);
    for (const r of judged) expect(r).toMatchObject({ response_code: expect.any(Number), decided_by: "status_codes" });
  });

  it("leaves decided_by null on an error or a timeout, which no rule judges", () => {
    const unjudged = rows.filter((r) => r.status === "error" || r.status === "timeout");
    expect(unjudged.length).toBeGreaterThan(0);
    for (const r of unjudged) expect(r).toMatchObject({ response_code: null, decided_by: null });
  });

  it("names the job's own host in a DNS error, as the engine's executor would", () => {
    const dns = rows.filter((r) => r.error_message?.startsWith("DNS lookup failed for "));
    expect(dns.length).toBeGreaterThan(0);
    for (const r of dns) expect(r.error_message).toMatch(/ for [a-z]+\.demo\.edgecron\.invalid$/);
  });

  it("sets every job's metrics counters to what its logs say (runs by status, failure streak, no skips)", async () => {
    const families = await accountJobFamilies(createDb(env.SHARD_0), DEMO.account_id, now);
    const samples = (name: string) => families.find((f) => f.name === name)?.samples ?? [];
    const jobIds = [...new Set(rows.map((r) => r.cron_job_id))];
    expect(jobIds.length).toBeGreaterThan(1);
    for (const jobId of jobIds) {
      const mine = (name: string) =>
        samples(name).filter((s) => s.labels.some(([k, v]) => k === "job_id" && v === jobId));
      const logs = rows.filter((r) => r.cron_job_id === jobId);
      const runs = Object.fromEntries(mine("edgecron_job_runs").map((s) => [s.extra?.[1], s.value]));
      const counted = Object.fromEntries(
        ["success", "failure", "error", "timeout"].map((st) => [st, logs.filter((r) => r.status === st).length]),
      );
      expect(runs, jobId).toEqual(counted);
      // No skipped spans are seeded, so every reason stays 0.
      for (const s of mine("edgecron_job_skipped")) expect(s.value, `${jobId} ${s.extra?.[1]}`).toBe(0);
      // The streak the engine keeps: the latest slots' final outcomes, up to the latest success.
      const finals = new Map<number, string>();
      for (const r of [...logs].sort((a, b) => a.retry_attempt - b.retry_attempt)) finals.set(r.scheduled_at, r.status);
      const ordered = [...finals.entries()].sort((a, b) => b[0] - a[0]).map(([, st]) => st);
      const streak = ordered.indexOf("success");
      expect(mine("edgecron_job_consecutive_failures")[0]?.value, jobId).toBe(streak === -1 ? ordered.length : streak);
    }
  });
});
