import { getTableColumns, type SQL, sql } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";

/**
 * `INSERT INTO table SELECT <row> WHERE <condition> ON CONFLICT DO NOTHING` as a batchable drizzle query: the row
 * is written only if the condition holds when the statement runs (in a D1 batch, after the statements before it).
 * drizzle's insert-select takes every column in table order, so a column the row leaves out gets its `.default()`
 * value, or NULL.
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
