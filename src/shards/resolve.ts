import { config } from "../config";
import { createControlDb, createDb, type Db } from "../db/client";
import { shardBinding, shardNumbers } from "./bindings";
import { type DirectoryEntry, directoryCache, readDirectory } from "./directory";

/** An account's place: its directory entry and its shard's binding. */
export interface AccountShard extends DirectoryEntry {
  binding: D1Database;
}

/**
 * The one answer to "which database holds this account?": the directory (cached for DIRECTORY_CACHE_SECONDS),
 * then the shard's binding. Null without a directory entry.
 */
export async function accountShard(env: Env, accountId: string, now = Date.now()): Promise<AccountShard | null> {
  let entry = directoryCache.get(accountId, now);
  if (!entry) {
    entry = await readDirectory(createControlDb(env.DB), accountId);
    if (!entry) return null;
    const ttlMs = config(env).DIRECTORY_CACHE_SECONDS * 1000;
    if (ttlMs > 0) directoryCache.set(accountId, entry, now + ttlMs);
  }
  return { ...entry, binding: shardBinding(env, entry.shard) };
}

/** Drizzle over an account's shard primary (the engine's view: no session, every query on the primary). */
export async function accountDb(env: Env, accountId: string, now = Date.now()): Promise<Db | null> {
  const place = await accountShard(env, accountId, now);
  return place ? createDb(place.binding) : null;
}

/** Every shard as drizzle over its primary, with its number: the per-shard ticks, sweeps and operator reports. */
export function everyShardDb(env: Env): Array<{ shard: number; db: Db }> {
  return shardNumbers(env).map((shard) => ({ shard, db: createDb(shardBinding(env, shard)) }));
}

/** Drizzle over one shard's primary, by number (a tick or sweep message names its shard). */
export function shardDb(env: Env, shard: number): Db {
  return createDb(shardBinding(env, shard));
}
