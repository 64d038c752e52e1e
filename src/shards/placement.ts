import type { Statement } from "./sql-runner";

/** New-account placement as pure functions, so the Worker, tests and operator CLI apply one rule. */

/**
 * A new account's shard: fewest accounts, lowest number on a tie. Its size is unknown and the count is one
 * indexed query; operators even out heavy accounts with `npm run cli -- account:move`.
 */
export function chooseShard(accountsPerShardNow: number[]): number {
  let best = 0;
  for (let i = 1; i < accountsPerShardNow.length; i++) {
    if ((accountsPerShardNow[i] as number) < (accountsPerShardNow[best] as number)) best = i;
  }
  return best;
}

/** The directory row of a new account (run with the control plane's account insert, in one batch). */
export function directoryStatement(accountId: string, shard: number, now: number): Statement {
  return {
    sql: "INSERT INTO account_shards (account_id, shard, state, updated_at) VALUES (?, ?, 'active', ?) ON CONFLICT(account_id) DO NOTHING",
    params: [accountId, shard, now],
  };
}

/** Accounts per shard (index = shard number) from the directory's `GROUP BY shard` counts; shards beyond N ignored. */
export function countsByShard(rows: Array<{ shard: number; n: number }>, shards: number): number[] {
  const perShard = new Array<number>(shards).fill(0);
  for (const r of rows) if (r.shard < shards) perShard[r.shard] = r.n;
  return perShard;
}
