import { and } from "drizzle-orm";
import type { Db } from "../db/client";
import type { ExecutionLogRow } from "../db/schema";
import type { LogPosition } from "./cursor";
import type { LogFilters } from "./filters";
import { type ExportFormat, exportPreamble, exportRecord } from "./formats";
import { newerThan, oldestFirst, positionOf } from "./keyset";
import { lateLookup } from "./late-lookup";
import { type SelectedLog, toExecutionLogRow } from "./log-row";
import { walkOf } from "./query";
import { batchInScope, type LogScope, scopeWhere } from "./scope";
import { serialiseLog } from "./serialise";
import { hoursLookup, type Walk } from "./status-hours";

/** Rows per query: one index range of this many keys, then their rows (late-lookup.ts), whatever the export's size. */
export const EXPORT_CHUNK = 1000;

/** One chunk: the next `chunk` rows after a position, oldest first, as one index range (or the status's hours). */
export function exportChunkQuery(
  db: Db,
  scope: LogScope,
  f: LogFilters,
  after: LogPosition | undefined,
  chunk: number,
  walk?: Walk,
) {
  if (walk === "hours") return hoursLookup(db, scope, f, { after, order: "oldest", limit: chunk });
  const { filters, keyset } = after ? newerThan(f, after) : { filters: f, keyset: undefined };
  return lateLookup(db, and(scopeWhere(db, scope, filters), keyset), oldestFirst, chunk);
}

/**
 * Every matching log, oldest first, in keyset chunks: memory stays flat, no row skipped or repeated. Logs after
 * `asOf` (the request's start) are left out so a busy job's export ends. Null when the scope's job is not live.
 */
export async function openLogExport(
  db: Db,
  scope: LogScope,
  f: LogFilters,
  opts: { asOf: number; chunk?: number },
): Promise<AsyncGenerator<ExecutionLogRow[], void> | null> {
  const chunk = opts.chunk ?? EXPORT_CHUNK;
  const endMs = Math.min(f.end?.end ?? opts.asOf, opts.asOf);
  const filters = { ...f, end: { start: endMs, end: endMs } };
  const walk = await walkOf(db, scope, filters, Number.POSITIVE_INFINITY);
  if (walk === null) return null;
  const query = (after?: ExecutionLogRow) =>
    exportChunkQuery(db, scope, filters, after && positionOf(after), chunk, walk);
  const first = walk === "none" ? [[]] : await batchInScope(db, scope, [query()]);
  if (!first) return null;
  const rowsOf = (selected: SelectedLog[]) => selected.map((r) => toExecutionLogRow(r, scope.accountId));
  return (async function* () {
    let rows = rowsOf(first[0]);
    for (;;) {
      if (rows.length > 0) yield rows;
      const last = rows.at(-1);
      if (rows.length < chunk || !last) return;
      rows = rowsOf(await query(last));
    }
  })();
}

/** The chunks as a byte stream in the format; the next query runs only when the reader pulls. */
export function exportStream(chunks: AsyncGenerator<ExecutionLogRow[], void>, format: ExportFormat) {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const preamble = exportPreamble(format);
      if (preamble) controller.enqueue(encoder.encode(preamble));
    },
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) {
          controller.close();
          return;
        }
        controller.enqueue(encoder.encode(next.value.map((row) => exportRecord(format, serialiseLog(row))).join("")));
      } catch (err) {
        console.error(JSON.stringify({ event: "log_export_failed", error: String(err) }));
        controller.error(err);
      }
    },
    async cancel() {
      await chunks.return();
    },
  });
}
