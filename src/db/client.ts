import { drizzle } from "drizzle-orm/d1";
import * as controlSchema from "./control-schema";
import * as schema from "./schema";

/**
 * Drizzle over one shard database (src/db/schema.ts) — a binding, or a D1 session of one
 * (src/shards/session.ts chooses which). Domain modules receive a `Db` and never learn which shard it is.
 */
export function createDb(d1: D1Database | D1DatabaseSession) {
  return drizzle(d1 as D1Database, { schema });
}
export type Db = ReturnType<typeof createDb>;

/**
 * Drizzle over the control plane (src/db/control-schema.ts: accounts, API keys, the shard directory). Always the
 * plain binding: queries outside a session go to the primary, so a new key works at once and a revoked one stops
 * (read replication never serves these reads).
 */
export function createControlDb(d1: D1Database) {
  return drizzle(d1, { schema: controlSchema });
}
export type ControlDb = ReturnType<typeof createControlDb>;
