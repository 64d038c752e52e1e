import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inlineStatement } from "../../src/accounts/provision";
import type { Statement } from "../../src/shards/sql-runner";

/** Where operator commands run: the local D1 of `wrangler dev`, or the deployed one with --remote. */
export interface Target {
  remote: boolean;
}

/** A database by its wrangler.toml binding: `DB` (the control plane) or `SHARD_<n>`. */
export type Database = string;

/** The control plane's binding. */
export const CONTROL: Database = "DB";

export const offlineEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};

export function wrangler(args: string[], opts: { quiet?: boolean } = {}) {
  const res = spawnSync("npx", ["--no-install", "wrangler", ...args], {
    env: offlineEnv,
    encoding: "utf8",
    stdio: opts.quiet ? ["ignore", "pipe", "pipe"] : ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.status !== 0) {
    throw new Error(`wrangler ${args.slice(0, 3).join(" ")} failed:\n${res.stdout ?? ""}${res.stderr ?? ""}`);
  }
  return res.stdout;
}

/** Applies a database's pending migrations (its wrangler.toml migrations_dir). */
export function applyMigrations(target: Target, database: Database) {
  wrangler(["d1", "migrations", "apply", database, target.remote ? "--remote" : "--local"], { quiet: true });
}

/** What `wrangler d1 execute --json` prints per statement. */
interface ExecuteResult<T> {
  results?: T[];
  meta?: { size_after?: number };
}

function executeJson<T>(target: Target, sql: string, database: Database): Array<ExecuteResult<T>> {
  const dir = mkdtempSync(join(tmpdir(), "edgecron-sql-"));
  try {
    const file = join(dir, "q.sql");
    writeFileSync(file, sql);
    const out = wrangler(
      ["d1", "execute", database, target.remote ? "--remote" : "--local", "--json", "--file", file],
      {
        quiet: true,
      },
    );
    return JSON.parse(out.slice(out.indexOf("["))) as Array<ExecuteResult<T>>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs SQL (one or more statements) and returns the rows of the last statement. */
export function execute<T = Record<string, unknown>>(target: Target, sql: string, database: Database = CONTROL): T[] {
  return executeJson<T>(target, sql, database).at(-1)?.results ?? [];
}

/** The database's size in bytes as D1 reports it after a query (remote databases; local ones report none). */
export function reportedSize(target: Target, database: Database): number | null {
  return executeJson(target, "SELECT 1", database).at(-1)?.meta?.size_after ?? null;
}

export function executeStatements(target: Target, statements: Statement[], database: Database = CONTROL) {
  return execute(target, statements.map((s) => `${inlineStatement(s)};`).join("\n"), database);
}
