/**
 * Shards are the static D1 bindings SHARD_0 … SHARD_{N-1} (wrangler.toml). Only this module names them; only
 * src/shards/resolve.ts maps an account to one.
 */
const PREFIX = "SHARD_";

/** N: the number of consecutive SHARD_n bindings from SHARD_0. At least 1 in any valid deployment. */
export function shardCount(env: Env): number {
  const bindings = env as unknown as Record<string, unknown>;
  let n = 0;
  while (bindings[`${PREFIX}${n}`] !== undefined) n++;
  if (n === 0) throw new Error("no shard database bound: wrangler.toml must declare SHARD_0");
  return n;
}

/** The D1 binding of shard `shard` (0-based). Throws for a shard that is not bound (a directory naming it is corrupt). */
export function shardBinding(env: Env, shard: number): D1Database {
  const binding = (env as unknown as Record<string, D1Database | undefined>)[`${PREFIX}${shard}`];
  if (!binding) throw new Error(`shard ${shard} is not bound (expected ${PREFIX}${shard} in wrangler.toml)`);
  return binding;
}

/** Every shard number, 0 … N-1. */
export function shardNumbers(env: Env): number[] {
  return Array.from({ length: shardCount(env) }, (_, i) => i);
}
