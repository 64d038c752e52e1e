/**
 * A D1 binding over node:sqlite, just enough for drizzle's D1 driver (prepare/bind/all/raw/run/first, batch),
 * so src/ functions can run unchanged on the bench's SQLite file under plain Node. `onRun` sees every
 * writing round trip — a single run() or a whole batch — with its statements and wall and CPU time: how the
 * sweep benchmark times each chunk of src/retention/sweep.ts, whatever shape the chunk has.
 */
import { join } from "node:path";
import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import { pathToFileURL } from "node:url";
import { ROOT } from "./common";

type Param = string | number | bigint | null | boolean | undefined | Uint8Array;

export interface RunTiming {
  /** The statements of this round trip (one, or a batch's). */
  sqls: string[];
  ms: number;
  cpuMs: number;
}

/** Statements that return rows go through all(); the rest through run(), which reports `changes`. */
const returnsRows = (sql: string) => /^\s*(select|with|pragma)\b/i.test(sql) || /\breturning\b/i.test(sql);

const norm = (params: Param[]): SQLInputValue[] =>
  params.map((v) => (typeof v === "boolean" ? Number(v) : v === undefined ? null : v));

export function nodeD1(db: DatabaseSync, onRun?: (t: RunTiming) => void) {
  const meta = (changes = 0, lastRowId = 0) => ({ changes, last_row_id: lastRowId, duration: 0 });

  function timed<T>(sqls: string[], fn: () => T): T {
    const t = performance.now();
    const u = process.cpuUsage();
    const out = fn();
    const du = process.cpuUsage(u);
    onRun?.({ sqls, ms: performance.now() - t, cpuMs: (du.user + du.system) / 1000 });
    return out;
  }

  function statement(sql: string, params: Param[]) {
    /** One statement as D1 answers it: rows for readers, `changes` for writers. */
    const execute = () => {
      if (returnsRows(sql)) return { results: db.prepare(sql).all(...norm(params)), success: true, meta: meta() };
      const r = db.prepare(sql).run(...norm(params));
      return { results: [] as unknown[], success: true, meta: meta(Number(r.changes), Number(r.lastInsertRowid)) };
    };
    return {
      sql,
      params,
      execute,
      bind: (...p: Param[]) => statement(sql, p),
      all: async () => ({ results: db.prepare(sql).all(...norm(params)), success: true, meta: meta() }),
      raw: async () => {
        const s = db.prepare(sql);
        s.setReturnArrays(true);
        return s.all(...norm(params));
      },
      first: async (column?: string) => {
        const row = db.prepare(sql).get(...norm(params)) as Record<string, unknown> | undefined;
        return row === undefined ? null : column ? row[column] : row;
      },
      run: async () => timed([sql], execute),
    };
  }

  return {
    prepare: (sql: string) => statement(sql, []),
    /** D1 runs a batch as one transaction. */
    batch: async (stmts: Array<ReturnType<typeof statement>>) =>
      timed(
        stmts.map((s) => s.sql),
        () => {
          db.exec("BEGIN");
          try {
            const out = stmts.map((s) => s.execute());
            db.exec("COMMIT");
            return out;
          } catch (e) {
            db.exec("ROLLBACK");
            throw e;
          }
        },
      ),
    exec: async (sql: string) => {
      db.exec(sql);
      return { count: 0, duration: 0 };
    },
  };
}

/**
 * Imports a module of src/ by a computed path: their types need the Worker's D1 declarations, which the
 * scripts' tsconfig (Node types) does not have, so the caller states the shape it relies on.
 */
export function importSrc<T>(rel: string): Promise<T> {
  return import(pathToFileURL(join(ROOT, rel)).href) as Promise<T>;
}
