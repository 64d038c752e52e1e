import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { logs, shardState } from "../db/schema";
import { addRollupsOf } from "../logs/rollups";
import { textStatements } from "../logs/store";
import { moveLegacyRunsChunk } from "./ledger";

/**
 * The online store migration: moves legacy logs (inline text, no rollup) in key-order chunks into log_bodies
 * and log_hours; each row shrinks as its text moves, so no second copy. Reads handle both layouts
 * (src/logs/log-row.ts) until the watermark `legacy_logs_until` goes.
 */

/** shard_state keys: the watermark (migration 0027 sets it when a shard had logs) and the bookmark. */
export const LEGACY_UNTIL = "legacy_logs_until";
const BOOKMARK = ["legacy_bookmark_slot", "legacy_bookmark_hi", "legacy_bookmark_lo"] as const;

/** Rows per chunk: ~5 statements each; measured well under 250 ms (bench/RESULTS.md, section 13). */
export const MIGRATION_CHUNK = 500;
/** Time a tick gives the migration after dispatch (ms); the next tick continues. */
export const MIGRATION_BUDGET_MS = 1_000;

interface LegacyRow {
  slot: number;
  idHi: number;
  idLo: number;
  responseBody: string | null;
  errorMessage: string | null;
  responseHeaders: string | null;
}

export interface MigrationReport {
  event: "log_store_migration";
  moved: number;
  /** Finished run-ledger rows moved from runs_v1. */
  runs_moved: number;
  chunks: number;
  /** True once no legacy log is left (the watermark is gone). */
  done: boolean;
}

async function readState(db: Db): Promise<Map<string, number>> {
  const rows = await db.select().from(shardState);
  return new Map(rows.map((r) => [r.key, r.value]));
}

const key = (r: { slot: number; idHi: number; idLo: number }) =>
  sql`${logs.slot} = ${r.slot} AND ${logs.idHi} = ${r.idHi} AND ${logs.idLo} = ${r.idLo}`;

/** The chunk's rollups: the rows still legacy in its key range when the batch runs, added to their hours. */
function rollupStatement(db: Db, after: number[], last: LegacyRow) {
  const inRange = sql`(${logs.slot}, ${logs.idHi}, ${logs.idLo}) > (${after[0]}, ${after[1]}, ${after[2]})
    AND (${logs.slot}, ${logs.idHi}, ${logs.idLo}) <= (${last.slot}, ${last.idHi}, ${last.idLo}) AND ${logs.body} IS NULL`;
  return addRollupsOf(db, inRange);
}

/** One legacy row's move: its text into log_bodies (when it has any), then the row names it and drops the inline copy. */
function moveStatements(db: Db, r: LegacyRow) {
  const still = sql`WHERE EXISTS (SELECT 1 FROM ${logs} WHERE ${key(r)} AND ${logs.body} IS NULL)`;
  const text = textStatements(db, r, still);
  return [
    ...text.statements,
    db
      .update(logs)
      .set({ body: text.body, responseBody: null, errorMessage: null, responseHeaders: null })
      .where(sql`${key(r)} AND ${logs.body} IS NULL`),
  ];
}

/** Moves one chunk after the bookmark; at the scan's end the same batch removes watermark and bookmark. */
export async function migrateChunk(db: Db, limit = MIGRATION_CHUNK): Promise<{ moved: number; done: boolean }> {
  const state = await readState(db);
  if (!state.has(LEGACY_UNTIL)) return { moved: 0, done: true };
  const after = BOOKMARK.map((k) => state.get(k) ?? -Number.MAX_SAFE_INTEGER);
  const rows: LegacyRow[] = await db
    .select({
      slot: logs.slot,
      idHi: logs.idHi,
      idLo: logs.idLo,
      responseBody: logs.responseBody,
      errorMessage: logs.errorMessage,
      responseHeaders: logs.responseHeaders,
    })
    .from(logs)
    .where(
      sql`(${logs.slot}, ${logs.idHi}, ${logs.idLo}) > (${after[0]}, ${after[1]}, ${after[2]}) AND ${logs.body} IS NULL`,
    )
    .orderBy(logs.slot, logs.idHi, logs.idLo)
    .limit(limit);
  const done = rows.length < limit;
  const last = rows.at(-1);
  const bookmark = last
    ? BOOKMARK.map((k, i) =>
        db
          .insert(shardState)
          .values({ key: k, value: [last.slot, last.idHi, last.idLo][i] as number })
          .onConflictDoUpdate({ target: shardState.key, set: { value: sql`excluded.value` } }),
      )
    : [];
  const finish = done
    ? [
        db
          .delete(shardState)
          .where(sql`${shardState.key} IN (${LEGACY_UNTIL}, ${BOOKMARK[0]}, ${BOOKMARK[1]}, ${BOOKMARK[2]})`),
      ]
    : [];
  // Each statement re-checks that the row is still legacy, so a row swept meanwhile moves nothing.
  const statements = [
    ...(last ? [rollupStatement(db, after, last)] : []),
    ...rows.flatMap((r) => moveStatements(db, r)),
    ...(done ? finish : bookmark),
  ];
  if (statements.length > 0) await db.batch(statements as unknown as Parameters<typeof db.batch>[0]);
  return { moved: rows.length, done };
}

/** Runs chunks after each tick until the budget is spent: legacy logs, then legacy ledger rows. */
export async function migrateStore(db: Db, budgetMs = MIGRATION_BUDGET_MS): Promise<MigrationReport> {
  const started = Date.now();
  let moved = 0;
  let runsMoved = 0;
  let chunks = 0;
  let logsDone = false;
  let runsDone = false;
  while (!(logsDone && runsDone) && Date.now() - started < budgetMs) {
    chunks++;
    if (!logsDone) {
      const r = await migrateChunk(db);
      moved += r.moved;
      logsDone = r.done;
      continue;
    }
    const n = await moveLegacyRunsChunk(db, MIGRATION_CHUNK);
    runsMoved += n;
    runsDone = n === 0;
  }
  const report: MigrationReport = {
    event: "log_store_migration",
    moved,
    runs_moved: runsMoved,
    chunks,
    done: logsDone && runsDone,
  };
  if (moved + runsMoved > 0) console.log(JSON.stringify(report));
  return report;
}
