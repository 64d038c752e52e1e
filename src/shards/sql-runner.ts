/** One SQL statement with its bound parameters. */
export interface Statement {
  sql: string;
  params: Array<string | number | null>;
}

/**
 * The SQL an operator procedure needs from a database, so one implementation runs inside the Worker and its tests
 * (over a D1 binding) and from the operator CLI (over `wrangler d1 execute`, scripts/lib/shards.ts).
 */
export interface SqlRunner {
  /** Rows of one SELECT. */
  all<T = Record<string, unknown>>(statement: Statement): Promise<T[]>;
  /** Statements as one atomic batch (a D1 batch is a transaction). */
  batch(statements: Statement[]): Promise<void>;
}
