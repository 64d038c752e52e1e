import { env } from "cloudflare:workers";
import { createDb } from "../../src/db/client";
import { cronJobs, type ExecutionLogRow, executionLogs } from "../../src/db/schema";
import { executionId } from "../../src/engine/execution-id";
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

/** Inserts logs in chunks that respect D1's 100-bound-parameter limit. */
export async function insertLogs(cronJobId: string, accountId: string, logs: LogInput[]) {
  const rows = logs.map((l, i) => ({
    id: l.id ?? executionId(cronJobId, l.executedAt, l.retryAttempt ?? 0),
    cronJobId,
    accountId,
    status: "success" as const,
    responseCode: 200,
    responseBody: `{"n":${i}}`,
    errorMessage: null,
    responseTimeMs: 100,
    retryAttempt: 0,
    trigger: (l.retryAttempt ?? 0) > 0 ? ("retry" as const) : ("schedule" as const),
    ...l,
  }));
  // D1 binds at most 100 parameters per statement: 11 columns a row, 9 rows a statement.
  const perChunk = 9;
  for (let i = 0; i < rows.length; i += perChunk) {
    await (await accountDb(accountId)).insert(executionLogs).values(rows.slice(i, i + perChunk));
  }
  return rows;
}
