import { createDb } from "../../src/db/client";
import { cronJobs, type ExecutionLogRow } from "../../src/db/schema";
import { executionId } from "../../src/lib/execution-id";
import { insertLogStatements } from "../../src/logs/store";
import { accountDb, shardD1 } from "./shards";

export const db = () => createDb(shardD1());

/** A minimal job row straight into D1 (the jobs API has its own tests). */
export async function insertJob(accountId: string, overrides: Partial<typeof cronJobs.$inferInsert> = {}) {
  const now = Date.now();
  const row: typeof cronJobs.$inferInsert = {
    id: crypto.randomUUID(),
    accountId,
    name: "Fixture job",
    endpointUrl: "https://example.com/hook",
    method: "POST",
    timezone: "UTC",
    schedule: "0 9 * * *",
    scheduleConfig: JSON.stringify({ repeat_type: "days", repeat_every: 1, time: "09:00", end_type: "never" }),
    scheduleAnchorAt: now,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
  // The state model (src/jobs/state.ts): a fixture that only says is_active false is a paused job.
  if (overrides.state === undefined && overrides.isActive === false) row.state = "paused";
  await (await accountDb(accountId)).insert(cronJobs).values(row);
  return row;
}

export type LogInput = Partial<ExecutionLogRow> & { executedAt: number };

/** Inserts logs (ids must be execution ids; by default derived from the job, time and attempt). */
export async function insertLogs(cronJobId: string, accountId: string, logs: LogInput[]) {
  const rows: ExecutionLogRow[] = logs.map((l, i) => ({
    id: l.id ?? executionId(cronJobId, l.executedAt, l.retryAttempt ?? 0),
    cronJobId,
    accountId,
    status: "success" as const,
    responseCode: 200,
    responseBody: `{"n":${i}}`,
    errorMessage: null,
    responseTimeMs: 100,
    retryAttempt: 0,
    scheduledAt: null,
    responseHeaders: null,
    decidedBy: null,
    trigger: (l.retryAttempt ?? 0) > 0 ? ("retry" as const) : ("schedule" as const),
    ...l,
  }));
  // Through the engine's own log insert (text in log_bodies, the rollup trigger), two statements a log, batched.
  const perBatch = 50;
  const shard = await accountDb(accountId);
  for (let i = 0; i < rows.length; i += perBatch) {
    const batch = rows.slice(i, i + perBatch).flatMap((r) => insertLogStatements(shard, r));
    if (batch.length > 0) await shard.batch(batch as unknown as Parameters<typeof shard.batch>[0]);
  }
  return rows;
}
