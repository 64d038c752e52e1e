import { count, eq } from "drizzle-orm";
import type { ControlDb } from "../db/client";
import { type AccountShardRow, accountShards } from "../db/control-schema";
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
export class DirectoryCache {
  private readonly entries = new Map<string, { entry: DirectoryEntry; until: number }>();
  constructor(private readonly maxEntries = 10_000) {}

  get(accountId: string, now: number): DirectoryEntry | undefined {
    const hit = this.entries.get(accountId);
    if (!hit) return undefined;
    if (hit.until <= now) {
      this.entries.delete(accountId);
      return undefined;
    }
    return hit.entry;
  }

  set(accountId: string, entry: DirectoryEntry, until: number): void {
    if (this.entries.size >= this.maxEntries) this.entries.clear(); // bounded memory; a miss costs one query
    this.entries.set(accountId, { entry, until });
  }

  clear(): void {
    this.entries.clear();
  }
}

/** The isolate's directory cache. */
export const directoryCache = new DirectoryCache();
