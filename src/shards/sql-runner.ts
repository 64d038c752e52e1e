/** One SQL statement with its bound parameters. */
export interface Statement {
  sql: string;
  params: Array<string | number | null>;
}

/**
 * SQL an operator procedure needs, so one implementation runs in the Worker (D1) and the CLI (`wrangler d1 execute`).
 */
export interface SqlRunner {
  /** Rows of one SELECT. */
  all<T = Record<string, unknown>>(statement: Statement): Promise<T[]>;
  /** Statements as one atomic batch (a D1 batch is a transaction). */
  batch(statements: Statement[]): Promise<void>;
}
