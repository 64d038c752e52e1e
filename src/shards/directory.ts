import { count, eq } from "drizzle-orm";
import type { ControlDb } from "../db/client";
import { type AccountShardRow, accountShards } from "../db/control-schema";
import { TtlCache } from "../lib/ttl-cache";
import { countsByShard } from "./placement";

/** Where an account's data lives: its shard, and whether a move (src/shards/move.ts) is fencing it. */
export type DirectoryEntry = Pick<AccountShardRow, "shard" | "state" | "moveShard">;

/** The directory row of an account, read from the control plane's primary; undefined for an unknown account. */
export async function readDirectory(control: ControlDb, accountId: string): Promise<DirectoryEntry | undefined> {
  const [row] = await control
    .select({ shard: accountShards.shard, state: accountShards.state, moveShard: accountShards.moveShard })
    .from(accountShards)
    .where(eq(accountShards.accountId, accountId))
    .limit(1);
  return row;
}

/** Accounts per shard (index = shard number), from the directory. */
export async function accountsPerShard(control: ControlDb, shards: number): Promise<number[]> {
  const rows = await control
    .select({ shard: accountShards.shard, n: count() })
    .from(accountShards)
    .groupBy(accountShards.shard);
  return countsByShard(rows, shards);
}

/**
 * Directory entries cached per isolate for DIRECTORY_CACHE_SECONDS; a move waits out this TTL before deleting the
 * source.
 */
export const directoryCache = new TtlCache<DirectoryEntry>();
