import { and, eq, isNull, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { accountNumber } from "../db/numbers";
import { cronJobs, logs } from "../db/schema";
import { idOfLogKey, logKeyOf } from "../logs/log-key";

/** At most this many executions per bulk replay (POST …/replay): one request, one batch of ledger rows. */
export const MAX_BULK_REPLAYS = 100;

/** Ids per lookup statement: 3 bound values each plus the account's, within D1's 100 bound parameters. */
const IDS_PER_LOOKUP = 33;

/** The lookup of `ids` among the account's logs of live jobs: one primary-key probe per id. */
export function executionsQuery(db: Db, accountId: string, ids: readonly string[]) {
  const keys = ids.flatMap((id) => {
    const k = logKeyOf(id);
    return k ? [and(eq(logs.slot, k.slot), eq(logs.idHi, k.hi), eq(logs.idLo, k.lo)) as SQL] : [];
  });
  return (
    db
      .select({ slot: logs.slot, idHi: logs.idHi, idLo: logs.idLo, jobId: cronJobs.id })
      .from(logs)
      .innerJoin(cronJobs, eq(cronJobs.num, logs.job))
      // Unary + keeps the planner off logs_account_time_idx (a walk of the account's logs): the ids are the key.
      .where(and(or(...keys), sql`+${logs.account} = ${accountNumber(accountId)}`, isNull(cronJobs.deletedAt)))
  );
}

/**
 * The job of each id that is a recorded execution (a log) of the account whose job is live; other ids (unknown,
 * another account's, a deleted job's, not an id at all) are absent.
 */
export async function findExecutionJobs(
  db: Db,
  accountId: string,
  ids: readonly string[],
): Promise<Map<string, string>> {
  const wanted = [...new Set(ids)].filter((id) => logKeyOf(id) !== null);
  const found = new Map<string, string>();
  for (let i = 0; i < wanted.length; i += IDS_PER_LOOKUP) {
    const rows = await executionsQuery(db, accountId, wanted.slice(i, i + IDS_PER_LOOKUP));
    for (const r of rows) found.set(idOfLogKey({ slot: r.slot, hi: r.idHi, lo: r.idLo }), r.jobId);
  }
  return found;
}
