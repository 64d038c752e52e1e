/**
 * Dead letters written straight into a local shard, for the Node-side suites (the dashboard e2e, the client's
 * Worker test): the queue gives up on a run only after 10 deliveries, too slow to wait for. The rows are what
 * src/engine/dead-letter.ts leaves: a `dead` ledger row with its reason and an `error` log saying why.
 */
import { runReasons, runStates } from "../../src/db/schema";
import { executionId, executionIdParts } from "../../src/lib/execution-id";
import type { Statement } from "../../src/shards/sql-runner";

export type DeadReason = "undelivered" | "outcome_unknown";

const MESSAGES: Record<DeadReason, string> = {
  undelivered: "Not delivered: the run's queue message failed 10 deliveries, so the endpoint was not called",
  outcome_unknown: "Outcome unknown: a delivery took the run and recorded nothing; the endpoint may have been called",
};

/** A dead first attempt of `jobId`'s slot at `slot` (epoch ms); `nonce` keeps it apart from a real run's id. */
export function deadLetter(o: { accountId: string; jobId: string; slot: number; reason: DeadReason; nonce: string }): {
  id: string;
  insert: Statement[];
  remove: Statement[];
} {
  const id = executionId(o.jobId, o.slot, 0, o.nonce);
  const key = executionIdParts(id);
  if (!key) throw new Error(`not an execution id: ${id}`);
  const where = "slot = ? AND id_hi = ? AND id_lo = ?";
  const params = [key.slot, key.hi, key.lo];
  return {
    id,
    insert: [
      {
        sql: `INSERT INTO execution_logs (id, cron_job_id, account_id, executed_at, status, error_message, retry_attempt,
                scheduled_at, trigger)
              VALUES (?, ?, ?, ?, 'error', ?, 0, ?, 'schedule')`,
        params: [id, o.jobId, o.accountId, o.slot + 5 * 60_000, MESSAGES[o.reason], o.slot],
      },
      {
        sql: `INSERT INTO runs (job, slot, id_hi, id_lo, account, attempt, origin, state, reason, planned_at, leases)
              SELECT j.num, ?, ?, ?, a.num, 0, 0, ?, ?, ?, ? FROM cron_jobs j, accounts a WHERE j.id = ? AND a.id = ?`,
        params: [
          ...params,
          runStates.indexOf("dead"),
          runReasons.indexOf(o.reason),
          o.slot,
          o.reason === "undelivered" ? 1 : 2,
          o.jobId,
          o.accountId,
        ],
      },
    ],
    // Logs leave through the sweep, which keeps log_hours in step and removes the text; this does the same.
    remove: [
      { sql: `DELETE FROM runs WHERE ${where}`, params },
      {
        sql: `UPDATE log_hours SET n = n - 1 WHERE (job, status, hour) IN
              (SELECT job, status, executed_at / 3600000 FROM logs WHERE ${where} AND body IS NOT NULL)`,
        params,
      },
      { sql: `DELETE FROM log_bodies WHERE id = (SELECT body FROM logs WHERE ${where})`, params },
      { sql: `DELETE FROM logs WHERE ${where}`, params },
    ],
  };
}
