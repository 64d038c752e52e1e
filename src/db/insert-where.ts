import { getTableColumns, type SQL, sql } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";

/**
 * `INSERT INTO t SELECT <row> WHERE <condition> ON CONFLICT DO NOTHING`, batchable: written only if the condition
 * holds when the statement runs. Omitted columns get their `.default()` or NULL.
 */
export function insertWhere<T extends SQLiteTable>(db: Db, table: T, row: Partial<T["$inferInsert"]>, condition: SQL) {
  const values = Object.entries(getTableColumns(table)).map(([key, column]) => {
    const v = (row as Record<string, unknown>)[key];
    return sql`${v !== undefined ? v : (column.default ?? null)}`;
  });
  return db
    .insert(table)
    .select(sql`SELECT ${sql.join(values, sql`, `)} WHERE ${condition}`)
    .onConflictDoNothing();
}
