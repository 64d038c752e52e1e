import { execute, reportedSize, type Target } from "./d1";
import { localShardBytes } from "./local-d1-files";
import { shardDatabases } from "./shards";

export interface ShardRow {
  database: string;
  /** Accounts the directory places on the shard. */
  accounts: number;
  /** Live jobs with state active. */
  active_jobs: number;
  logs: number;
  /** The database's size (what D1's 10 GB limit counts): D1's own figure remotely, the SQLite file locally. */
  bytes: number | null;
}

/** `npm run cli -- shards`: one row per shard, from the directory (control plane) and the shard itself. */
export async function shardReport(target: Target): Promise<ShardRow[]> {
  const directory = new Map(
    execute<{ account_id: string; shard: number }>(target, "SELECT account_id, shard FROM account_shards").map((r) => [
      r.account_id,
      r.shard,
    ]),
  );
  const databases = shardDatabases();
  const local = target.remote ? [] : await localShardBytes(directory, databases.length);
  return databases.map((database, shard) => {
    const [row] = execute<{ active_jobs: number; logs: number }>(
      target,
      `SELECT (SELECT count(*) FROM cron_jobs WHERE state = 'active' AND deleted_at IS NULL) AS active_jobs,
              (SELECT coalesce(sum(n), 0) FROM log_hours) AS logs`,
      database,
    );
    return {
      database,
      accounts: [...directory.values()].filter((s) => s === shard).length,
      active_jobs: row?.active_jobs ?? 0,
      logs: row?.logs ?? 0,
      bytes: target.remote ? reportedSize(target, database) : (local[shard] ?? null),
    };
  });
}
