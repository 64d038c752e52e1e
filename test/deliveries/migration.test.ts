/** Migration 0034 moves alert deliveries from `alert_deliveries` into `deliveries` before dropping the old table. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createAccount } from "../helpers/accounts";
import { insertJob } from "../helpers/fixtures";
import { api } from "../helpers/http";
import { shardD1 } from "../helpers/shards";

/** The table as migrations before 0034 left it. */
const OLD_TABLE = `CREATE TABLE alert_deliveries (id text PRIMARY KEY NOT NULL, account_id text NOT NULL,
  cron_job_id text NOT NULL, execution_id text NOT NULL, event text NOT NULL, channel text NOT NULL,
  target text NOT NULL, payload text NOT NULL, status text DEFAULT 'pending' NOT NULL,
  attempts integer DEFAULT 0 NOT NULL, last_error text, fired_at integer NOT NULL, delivered_at integer,
  lease_until integer)`;

describe("migration 0034", () => {
  it("copies every alert delivery, state and attempts kept, then drops alert_deliveries", async () => {
    const acct = await createAccount("Migrated alerts");
    const job = await insertJob(acct.accountId);
    const T = Date.UTC(2026, 5, 1, 12);
    const d1 = shardD1();
    await d1.prepare(OLD_TABLE).run();
    const insert = d1.prepare(
      "INSERT INTO alert_deliveries (id, account_id, cron_job_id, execution_id, event, channel, target, payload, status, attempts, last_error, fired_at, delivered_at) VALUES (?, ?, ?, ?, ?, ?, ?, '{}', ?, ?, ?, ?, ?)",
    );
    await d1.batch([
      insert.bind(
        "exe_a:alert:failure:0",
        acct.accountId,
        job.id,
        "exe_a",
        "failure",
        "slack",
        "https://s/",
        "delivered",
        2,
        "HTTP 503",
        T,
        T + 30_000,
      ),
      insert.bind(
        "exe_b:alert:recovery:1",
        acct.accountId,
        job.id,
        "exe_b",
        "recovery",
        "email",
        "a@b.example",
        "pending",
        1,
        "quota",
        T + 60_000,
        null,
      ),
    ]);
    const migration = env.SHARD_MIGRATIONS.find((m) => m.name.startsWith("0034_"));
    expect(migration?.queries).toHaveLength(2);
    for (const q of migration?.queries ?? []) await d1.prepare(q).run();

    const { results } = await d1
      .prepare(
        "SELECT id, source, source_id, execution_id, kind, event, channel, state, attempts, last_status_code, last_error, next_attempt_at, delivered_at FROM deliveries WHERE source_id = ? ORDER BY id",
      )
      .bind(job.id)
      .all();
    expect(results).toEqual([
      {
        id: "exe_a:alert:failure:0",
        source: "job",
        source_id: job.id,
        execution_id: "exe_a",
        kind: "alert",
        event: "failure",
        channel: "slack",
        state: "delivered",
        attempts: 2,
        last_status_code: 503,
        last_error: "HTTP 503",
        next_attempt_at: null,
        delivered_at: T + 30_000,
      },
      {
        id: "exe_b:alert:recovery:1",
        source: "job",
        source_id: job.id,
        execution_id: "exe_b",
        kind: "alert",
        event: "recovery",
        channel: "email",
        state: "pending",
        attempts: 1,
        last_status_code: null,
        last_error: "quota",
        next_attempt_at: T + 60_000,
        delivered_at: null,
      },
    ]);
    expect(await d1.prepare("SELECT name FROM sqlite_master WHERE name = 'alert_deliveries'").first()).toBeNull();
    const listed = await api(`/v1/cron-jobs/${acct.accountId}/alerts/${job.id}`, { headers: acct.headers });
    expect(listed.body.data.map((d: { id: string; status: string }) => [d.id, d.status])).toEqual([
      ["exe_b:alert:recovery:1", "pending"],
      ["exe_a:alert:failure:0", "delivered"],
    ]);
  });
});
