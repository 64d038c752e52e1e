/**
 * The SQL the Worker sends for a logs page, captured from src/logs/query.ts itself: findLogsPage runs over a
 * fake D1 binding that records every prepared statement (SQL + bound parameters) of its batch and answers
 * with no rows. The storage floor then times exactly those statements on the SQLite file, so it follows
 * src/logs as it changes.
 *
 * The modules are imported by a computed path: their types need the Worker's D1 declarations, which the
 * scripts' tsconfig (Node types) does not have. Any mismatch (a renamed export, a new signature) surfaces as
 * an error the caller turns into a fallback.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "./common";

export interface CapturedStatement {
  sql: string;
  params: Array<string | number | null>;
}

export interface PageRequest {
  accountId: string;
  cronJobId: string;
  status?: string;
  /** Inclusive instant ranges as the route's date parser gives them (a bare date: its whole day). */
  start?: { start: number; end: number };
  end?: { start: number; end: number };
  paging: { page: number; limit: number } | { after: { executedAt: number; id: string }; limit: number };
}

type Param = string | number | null | boolean | undefined;

function fakeD1(log: CapturedStatement[][]) {
  const empty = { results: [], success: true, meta: { changes: 0, duration: 0, last_row_id: 0 } };
  const statement = (sql: string, params: Param[]) => ({
    sql,
    params,
    bind: (...p: Param[]) => statement(sql, p),
    all: async () => empty,
    raw: async () => [],
    run: async () => empty,
    first: async () => null,
  });
  return {
    prepare: (sql: string) => statement(sql, []),
    batch: async (stmts: Array<{ sql: string; params: Param[] }>) => {
      log.push(
        stmts.map((s) => ({
          sql: s.sql,
          params: s.params.map((v) => (typeof v === "boolean" ? Number(v) : (v ?? null))),
        })),
      );
      return stmts.map(() => empty);
    },
    exec: async () => empty,
    dump: async () => new ArrayBuffer(0),
  };
}

const load = (rel: string) => import(pathToFileURL(join(ROOT, rel)).href);

/** The statements of the one D1 batch findLogsPage sends for this request: [job check, page, count?]. */
export async function captureLogsBatch(req: PageRequest): Promise<CapturedStatement[]> {
  const client = (await load("src/db/client.ts")) as { createDb: (d1: unknown) => unknown };
  const query = (await load("src/logs/query.ts")) as {
    findLogsPage: (db: unknown, scope: unknown, f: unknown, paging: unknown) => Promise<unknown>;
  };
  if (typeof client.createDb !== "function" || typeof query.findLogsPage !== "function") {
    throw new Error("src/db/client.ts createDb or src/logs/query.ts findLogsPage is not there any more");
  }
  const log: CapturedStatement[][] = [];
  const db = client.createDb(fakeD1(log));
  await query.findLogsPage(
    db,
    { kind: "job", accountId: req.accountId, cronJobId: req.cronJobId },
    { status: req.status, start: req.start, end: req.end },
    req.paging,
  );
  if (log.length !== 1) throw new Error(`expected one D1 batch from findLogsPage, saw ${log.length}`);
  return log[0] as CapturedStatement[];
}
