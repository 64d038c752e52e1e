import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { addRollupsOf, recountHourStatements } from "../../src/logs/rollups";
import { createAccount } from "../helpers/accounts";
import { db, insertJob, insertLogs } from "../helpers/fixtures";
import { shardD1 } from "../helpers/shards";

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 4, 6, 10);

interface HourRow {
  status: number;
  hour: number;
  n: number;
  min_ms: number | null;
  max_ms: number | null;
  flags: number | null;
  code_min: number | null;
  code_max: number | null;
  sketch: string | null;
}

async function hourRows(job: number): Promise<HourRow[]> {
  const { results } = await shardD1()
    .prepare(
      "SELECT status, hour, n, min_ms, max_ms, flags, code_min, code_max, sketch FROM log_hours WHERE job = ? ORDER BY status, hour",
    )
    .bind(job)
    .all<HourRow>();
  return results.map((r) => ({ ...r, sketch: r.sketch === null ? null : JSON.stringify(JSON.parse(r.sketch)) }));
}

describe("log_hours flags, code_min and code_max", () => {
  it("the trigger sets them; the store migration's rollup and the sweep's recount rebuild them alike", async () => {
    const acct = await createAccount("Rollup flags");
    const job = await insertJob(acct.accountId);
    await insertLogs(job.id as string, acct.accountId, [
      { executedAt: T0 + 1, responseCode: 200, responseTimeMs: 40 },
      { executedAt: T0 + 2, responseCode: 204, responseTimeMs: 90 },
      { executedAt: T0 + 3, status: "failure", responseCode: 503, responseTimeMs: 1200 },
      { executedAt: T0 + 4, status: "failure", responseCode: 404, responseTimeMs: 15 },
      { executedAt: T0 + 5, status: "failure", responseCode: 999, responseTimeMs: 7 },
      { executedAt: T0 + 6, status: "error", responseCode: null, responseTimeMs: null },
      { executedAt: T0 + HOUR + 1, status: "failure", responseCode: 302, responseTimeMs: null },
    ]);
    const { results } = await shardD1()
      .prepare("SELECT num FROM cron_jobs WHERE id = ?")
      .bind(job.id)
      .all<{ num: number }>();
    const num = results[0]?.num as number;
    const hour = T0 / HOUR;
    const byTrigger = await hourRows(num);
    expect(byTrigger.map((r) => [r.status, r.hour - hour, r.flags, r.code_min, r.code_max])).toEqual([
      [0, 0, 4, 200, 204], // 2xx
      [1, 0, 16 | 32 | 64, 404, 999], // 4xx, 5xx, a code outside 100–599
      [1, 1, 8 | 128, 302, 302], // 3xx, no response time
      [2, 0, 1 | 128, null, null], // no code, no response time
    ]);

    await shardD1().prepare("DELETE FROM log_hours WHERE job = ?").bind(num).run();
    await addRollupsOf(db(), sql`"job" = ${num}`);
    expect(await hourRows(num)).toEqual(byTrigger);

    const acctNum = (
      await shardD1().prepare("SELECT num FROM accounts WHERE id = ?").bind(acct.accountId).all<{ num: number }>()
    ).results[0]?.num as number;
    await db().batch(
      recountHourStatements(db(), acctNum, hour) as unknown as Parameters<ReturnType<typeof db>["batch"]>[0],
    );
    expect(await hourRows(num)).toEqual(byTrigger);
  });
});
