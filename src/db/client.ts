import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = ReturnType<typeof createDb>;

/**
 * Drizzle over a D1 session, so read replicas can serve reads later without code changes
 * while each request still reads its own writes.
 */
export function createDb(d1: D1Database) {
  const session = typeof d1.withSession === "function" ? d1.withSession("first-primary") : d1;
  return drizzle(session as D1Database, { schema });
}
