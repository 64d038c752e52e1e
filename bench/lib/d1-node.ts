/**
 * A D1 binding over node:sqlite, enough for drizzle, so src/ runs unchanged on the bench's files; every round trip is
 * reported with its statements and wall and CPU time (sweep chunks, recorded reads).
 */
import { join } from "node:path";
import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import { pathToFileURL } from "node:url";
import { now, preparer, ROOT } from "./harness";

export type Param = string | number | bigint | null | boolean | undefined | Uint8Array;
export interface Stmt {
  sql: string;
  params: SQLInputValue[];
}
export interface RoundTrip {
  stmts: Stmt[];
  ms: number;
  cpuMs: number;
}

const returnsRows = (sql: string) => /^\s*(select|with|pragma)\b/i.test(sql) || /\breturning\b/i.test(sql);
/** Values as D1 binds them: booleans 0/1, undefined NULL. */
export const norm = (params: Param[]): SQLInputValue[] =>
  params.map((v) => (typeof v === "boolean" ? Number(v) : v === undefined ? null : v));

export function nodeD1(db: DatabaseSync, onTrip?: (t: RoundTrip) => void) {
  const meta = (changes = 0, last_row_id = 0) => ({ changes, last_row_id, duration: 0 });
  function timed<T>(stmts: Stmt[], fn: () => T): T {
    const t = now();
    const u = process.cpuUsage();
    const out = fn();
    const du = process.cpuUsage(u);
    onTrip?.({ stmts, ms: now() - t, cpuMs: (du.user + du.system) / 1000 });
    return out;
  }
  function statement(sql: string, params: Param[]) {
    const s = { sql, params: norm(params) };
    const execute = () => {
      if (returnsRows(sql)) return { results: db.prepare(sql).all(...s.params), success: true, meta: meta() };
      const r = db.prepare(sql).run(...s.params);
      return { results: [] as unknown[], success: true, meta: meta(Number(r.changes), Number(r.lastInsertRowid)) };
    };
    const first = (column?: string) => {
      const row = db.prepare(sql).get(...s.params) as Record<string, unknown> | undefined;
      return row === undefined ? null : column ? row[column] : row;
    };
    const rows = () => {
      const q = db.prepare(sql);
      q.setReturnArrays(true);
      return q.all(...s.params);
    };
    return {
      ...s,
      execute,
      bind: (...p: Param[]) => statement(sql, p),
      all: async () => timed([s], execute),
      run: async () => timed([s], execute),
      raw: async () => timed([s], rows),
      first: async (column?: string) => timed([s], () => first(column)),
    };
  }
  /** D1 runs a batch as one transaction. */
  const batch = (stmts: Array<ReturnType<typeof statement>>) => {
    db.exec("BEGIN");
    try {
      const out = stmts.map((st) => st.execute());
      db.exec("COMMIT");
      return out;
    } catch (e) {
      db.exec("ROLLBACK");
      throw e;
    }
  };
  return {
    prepare: (sql: string) => statement(sql, []),
    batch: async (stmts: Array<ReturnType<typeof statement>>) =>
      timed(
        stmts.map(({ sql, params }) => ({ sql, params })),
        () => batch(stmts),
      ),
    exec: async (sql: string) => ({ count: db.exec(sql) ?? 0, duration: 0 }),
  };
}

/** Replays recorded round trips from cached prepared statements; returns the SQLite time in ms. */
export function replayer(db: DatabaseSync) {
  const prep = preparer(db);
  const replay = (trips: Stmt[][]) => {
    const t = now();
    for (const trip of trips) for (const st of trip) prep(st.sql).all(...st.params);
    return now() - t;
  };
  return {
    replay,
    /** Median of replays after one: 21 under 2 ms, 5 under 250 ms, a slower one once. */
    time(trips: Stmt[][]) {
      const times = [replay(trips)];
      const reps = (times[0] as number) < 2 ? 21 : (times[0] as number) < 250 ? 5 : 1;
      while (times.length < reps) times.push(replay(trips));
      return times.sort((a, b) => a - b)[times.length >> 1] as number;
    },
    plan: (trips: Stmt[][]) =>
      trips.flat().flatMap((st) =>
        db
          .prepare(`EXPLAIN QUERY PLAN ${st.sql}`)
          .all(...st.params)
          .map((r) => String(r.detail)),
      ),
  };
}

/**
 * A module of src/ (or of another tree's src/) by computed path: their types need the Worker's declarations, which
 * the bench's tsconfig lacks, so the caller states the shape it relies on.
 */
export function importSrc<T>(rel: string, root = ROOT): Promise<T> {
  return import(pathToFileURL(join(root, rel)).href) as Promise<T>;
}

/** src/<m>.ts of `root` for each of `mods`, their exports merged: the shape stated by the caller, as for importSrc. */
export const importAll = async <T>(mods: string[], root = ROOT) =>
  Object.assign({}, ...(await Promise.all(mods.map((m) => importSrc(`src/${m}.ts`, root))))) as T;
/** A drizzle db over node:sqlite whose round trips are recorded into `trips`, with src/db/client.ts of `root`. */
export async function recordingDb(db: DatabaseSync, trips: Stmt[][], root = ROOT) {
  const { createDb } = await importSrc<{ createDb: (d1: unknown) => unknown }>("src/db/client.ts", root);
  return createDb(nodeD1(db, (t) => trips.push(t.stmts)));
}
