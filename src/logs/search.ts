import { and } from "drizzle-orm";
import type { Db } from "../db/client";
import { type ExecutionLogRow, logBodies, logs } from "../db/schema";
import type { LogPosition } from "./cursor";
import type { LogFilters } from "./filters";
import { newestFirst, olderThan, positionOf } from "./keyset";
import { logText } from "./late-lookup";
import { logColumns, type SelectedLog, toExecutionLogRow } from "./log-row";
import { batchInScope, type LogScope, scopeWhere } from "./scope";

/**
 * Text search (q) over one job's logs. Bodies are stored compressed (src/lib/codec), so SQLite cannot match them:
 * the scan reads the range newest first in chunks, decodes each log in the Worker and keeps those whose body or
 * error contains the text, until the page is full, the range ends, or its own budget is spent.
 */

export interface ScanBudget {
  /** Logs read and decoded per request at most. */
  rows: number;
  /** Wall time per request (ms), checked between chunks; D1 round trips are most of it. */
  ms: number;
  /** Logs per D1 query. */
  chunk: number;
}

/** ≈ 10 chunk queries and ≈ 2,000 decodes (≈ 5 µs each for a 1 KB body) a request at most. */
export const SCAN_BUDGET: ScanBudget = { rows: 2000, ms: 500, chunk: 200 };

export interface SearchPage {
  rows: ExecutionLogRow[];
  /** Where the next request continues: after the page's last log, or after the last log scanned; null at the end. */
  next: LogPosition | null;
  /** False when the budget ended the scan before the page was full and before the range's end. */
  complete: boolean;
  scanned: number;
}

/** Whether the log's body or error message contains `needle` (already lower-cased). */
export function logContains(row: Pick<ExecutionLogRow, "responseBody" | "errorMessage">, needle: string): boolean {
  return [row.responseBody, row.errorMessage].some((t) => t?.toLowerCase().includes(needle) ?? false);
}

/** One chunk of the scan: the logs older than `after`, newest first, with their text (one seek each). */
export function scanChunkQuery(db: Db, scope: LogScope, f: LogFilters, after: LogPosition | undefined, n: number) {
  const { filters, keyset } = after ? olderThan(f, after) : { filters: f, keyset: undefined };
  return db
    .select(logColumns)
    .from(logs)
    .leftJoin(logBodies, logText())
    .where(and(scopeWhere(db, scope, filters), keyset))
    .orderBy(...newestFirst)
    .limit(n);
}

/**
 * A page of the job's logs containing `text`, scanning from `after` (or the range's newest log). The first chunk
 * rides with the job check; null when the job is not live.
 */
export async function searchLogs(
  db: Db,
  scope: LogScope & { kind: "job" },
  f: LogFilters,
  text: string,
  o: { after?: LogPosition; limit: number; budget?: ScanBudget },
): Promise<SearchPage | null> {
  const budget = o.budget ?? SCAN_BUDGET;
  const needle = text.toLowerCase();
  const started = Date.now();
  const rows: ExecutionLogRow[] = [];
  let after = o.after;
  let scanned = 0;
  for (let first = true; ; first = false) {
    const n = Math.max(1, Math.min(budget.chunk, budget.rows - scanned));
    const query = scanChunkQuery(db, scope, f, after, n);
    let chunk: SelectedLog[];
    if (first) {
      const res = await batchInScope(db, scope, [query]);
      if (!res) return null;
      chunk = res[0] as SelectedLog[];
    } else chunk = await query;
    for (const selected of chunk) {
      scanned++;
      const row = toExecutionLogRow(selected, scope.accountId);
      after = positionOf(row);
      if (!logContains(row, needle)) continue;
      rows.push(row);
      if (rows.length === o.limit) return { rows, next: after, complete: true, scanned };
    }
    if (chunk.length < n) return { rows, next: null, complete: true, scanned };
    if (scanned >= budget.rows || Date.now() - started >= budget.ms) {
      return { rows, next: after ?? null, complete: false, scanned };
    }
  }
}
