import { drizzle } from "drizzle-orm/d1";
import * as controlSchema from "./control-schema";
import * as schema from "./schema";

/** Drizzle over one shard (a binding or a D1 session of one); domain code gets a `Db` and never learns which shard. */
export function createDb(d1: D1Database | D1DatabaseSession) {
  return drizzle(d1 as D1Database, { schema });
}
export type Db = ReturnType<typeof createDb>;

/**
 * Drizzle over the control plane, always the plain binding: it reads the primary, so a new key works at once and
 * a revoked one stops.
 */
export function createControlDb(d1: D1Database) {
  return drizzle(d1, { schema: controlSchema });
}
export type ControlDb = ReturnType<typeof createControlDb>;
