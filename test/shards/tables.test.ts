/**
 * Every table of a migrated shard is either copied by an account move and cleaned by the retention sweep, or listed
 * below with the reason it is not: a new table cannot be forgotten by either (it would stay behind on a move, or
 * grow without bound).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SWEPT_TABLES } from "../../src/retention/sweep";
import { MOVED_TABLES } from "../../src/shards/move";

/** Shard tables that are not copied row by row by src/shards/move.ts. */
const NOT_MOVED: Record<string, string> = {
  // Keyed by shard-local job numbers: the target's insert trigger on logs rebuilds them from the copied logs.
  log_hours: "rebuilt by the target",
  // Derived from log_hours for the metrics (src/metrics/windows.ts): the tick on the target writes them.
  latency_windows: "rebuilt by the tick",
  // Each log's text is copied with its log (src/shards/move.ts copyLogs), under the target's own row ids.
  log_bodies: "copied with its log",
  // Shard-wide progress of the store migration (src/engine/migrate-logs.ts), not an account's.
  shard_state: "not per account",
};

/** Shard tables the retention sweep (src/retention/sweep.ts) does not delete from. */
const NOT_SWEPT: Record<string, string> = {
  // One row per account, live as long as the account.
  accounts: "live state",
  // Pruned when the account rotates its signing secret (src/accounts/provision.ts); a handful per account.
  retired_signing_secrets: "pruned by rotation",
  // Each row is deleted once its message is sent (src/engine/outbox.ts); the relay re-sends stale ones.
  outbox: "deleted when sent",
  // The customer's own list, removed through DELETE …/alert-recipients and capped by MAX_ALERT_RECIPIENTS.
  alert_email_recipients: "live state, capped",
  // A handful of named integers for the whole shard (src/engine/migrate-logs.ts).
  shard_state: "shard-wide, a few rows",
  // Configuration, like a job's schedule: removed through DELETE …/calendars/{id} and capped by MAX_CALENDARS.
  calendars: "live state, capped",
  // Removed through DELETE …/maintenance-windows/{id} and capped by MAX_MAINTENANCE_WINDOWS.
  maintenance_windows: "live state, capped",
};

/** SQLite's, D1's and miniflare's own tables are not the schema's. */
const internal = (name: string) => ["sqlite_", "d1_", "_cf_"].some((prefix) => name.startsWith(prefix));

async function shardTables(): Promise<string[]> {
  const { results } = await env.SHARD_0.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
  ).all<{
    name: string;
  }>();
  return results.map((r) => r.name).filter((name) => !internal(name));
}

describe("shard tables", () => {
  it("each is copied by an account move, or says why not", async () => {
    const missing = (await shardTables()).filter((t) => !MOVED_TABLES.includes(t) && !(t in NOT_MOVED));
    expect(missing).toEqual([]);
  });

  it("each is cleaned by the retention sweep, or says why not", async () => {
    const swept: readonly string[] = SWEPT_TABLES;
    const missing = (await shardTables()).filter((t) => !swept.includes(t) && !(t in NOT_SWEPT));
    expect(missing).toEqual([]);
  });

  it("the lists name only tables that exist, and no table is both covered and excused", async () => {
    const tables = await shardTables();
    expect(tables.length).toBeGreaterThan(5);
    for (const name of [...MOVED_TABLES, ...SWEPT_TABLES, ...Object.keys(NOT_MOVED), ...Object.keys(NOT_SWEPT)]) {
      expect(tables, name).toContain(name);
    }
    expect(MOVED_TABLES.filter((t) => t in NOT_MOVED)).toEqual([]);
    expect(SWEPT_TABLES.filter((t) => t in NOT_SWEPT)).toEqual([]);
  });
});
