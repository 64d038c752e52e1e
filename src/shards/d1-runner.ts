import type { SqlRunner, Statement } from "./sql-runner";

/** A SqlRunner over a D1 binding. */
export function d1Runner(d1: D1Database): SqlRunner {
  return {
    async all<T>(s: Statement) {
      return (
        await d1
          .prepare(s.sql)
          .bind(...s.params)
          .all<T>()
      ).results;
    },
    async batch(statements: Statement[]) {
      if (statements.length > 0) await d1.batch(statements.map((s) => d1.prepare(s.sql).bind(...s.params)));
    },
  };
}
