import { createHash, createHmac } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { DatabaseSync } from "node:sqlite";

/**
 * The local D1 databases of `wrangler dev` as the SQLite files they are, migrated and written in this process with
 * node:sqlite: one process for every database instead of a `wrangler d1` process (Node, wrangler and a workerd)
 * per migration file and per query. What lands in each file is what `wrangler d1 migrations apply --local` writes,
 * so wrangler and this module agree on what is applied.
 */

const ROOT = resolve(import.meta.dirname, "../..");

/** wrangler's default local state (`--persist-to` overrides it): `.wrangler/state` beside wrangler.toml. */
export const DEFAULT_PERSIST_TO = join(ROOT, ".wrangler/state");

/** wrangler's default migrations table (a database's `migrations_table` overrides it). */
const MIGRATIONS_TABLE = "d1_migrations";

/** Miniflare's Durable Object namespace behind local D1: its folder under `<persist>/v3/d1/`, and its unique key. */
const D1_OBJECT_NAMESPACE = "miniflare-D1DatabaseObject";

export interface LocalDatabase {
  /** The wrangler.toml binding: DB or SHARD_<n>. */
  binding: string;
  /** The id the local file is named after (preview_database_id, else database_id, as wrangler picks). */
  id: string;
  migrationsDir: string;
  migrationsTable: string;
  /** The SQLite file `wrangler dev --persist-to <persistTo>` serves for this binding. */
  file: string;
}

/**
 * The name workerd gives a Durable Object's SQLite file: its id from `idFromName(databaseId)` in the namespace,
 * i.e. HMAC-SHA-256 of the name under SHA-256(unique key), then a MAC of that (miniflare's own derivation; the same
 * names `wrangler d1 execute --local` and `wrangler dev` use, which test/e2e/local-server.e2e.ts checks end to end).
 */
export function durableObjectIdFromName(uniqueKey: string, name: string): string {
  const key = createHash("sha256").update(uniqueKey).digest();
  const nameMac = createHmac("sha256", key).update(name).digest().subarray(0, 16);
  const mac = createHmac("sha256", key).update(nameMac).digest().subarray(0, 16);
  return Buffer.concat([nameMac, mac]).toString("hex");
}

/** `<persistTo>/v3/d1/miniflare-D1DatabaseObject/<id>.sqlite`, as wrangler lays out local D1. */
export function localD1File(persistTo: string, databaseId: string): string {
  return join(
    resolve(persistTo),
    "v3/d1",
    D1_OBJECT_NAMESPACE,
    `${durableObjectIdFromName(D1_OBJECT_NAMESPACE, databaseId)}.sqlite`,
  );
}

/** wrangler.toml's `[[d1_databases]]`, each with its local file: the control plane (DB) first, then SHARD_0 … */
export function localDatabases(
  persistTo: string,
  config = readFileSync(join(ROOT, "wrangler.toml"), "utf8"),
): LocalDatabase[] {
  const blocks = [...config.matchAll(/^\[\[d1_databases\]\]\n((?:(?!\[)[^\n]*\n?)*)/gm)].map((m) => m[1] ?? "");
  const value = (block: string, key: string) =>
    new RegExp(`^\\s*${key}\\s*=\\s*"([^"]*)"`, "m").exec(block)?.[1] ?? undefined;
  const out = blocks.map((b): LocalDatabase => {
    const binding = value(b, "binding") ?? "";
    const id = value(b, "preview_database_id") ?? value(b, "database_id") ?? binding;
    return {
      binding,
      id,
      migrationsDir: join(ROOT, value(b, "migrations_dir") ?? "migrations"),
      migrationsTable: value(b, "migrations_table") ?? MIGRATIONS_TABLE,
      file: localD1File(persistTo, id),
    };
  });
  const order = (b: string) => (b === "DB" ? -1 : Number(/^SHARD_(\d+)$/.exec(b)?.[1] ?? Number.MAX_SAFE_INTEGER));
  return out.sort((a, b) => order(a.binding) - order(b.binding));
}

/** A database's migration files in the order wrangler applies them (`<migrations_dir>/*.sql`, by name). */
export function migrationNames(db: LocalDatabase): string[] {
  return readdirSync(db.migrationsDir)
    .filter((f) => f.endsWith(".sql"))
    .sort();
}

/**
 * node:sqlite, loaded on first use. Node 22 prints an ExperimentalWarning on stderr when it loads; that one warning
 * is dropped, so that `npm start` prints its progress and wrangler's output only.
 */
let sqlite: typeof import("node:sqlite") | undefined;
export async function loadSqlite() {
  if (sqlite) return sqlite;
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === "string" ? warning : warning.message;
    if (!/SQLite is an experimental feature/.test(text)) Reflect.apply(emit, process, [warning, ...rest]);
  }) as typeof process.emitWarning;
  try {
    sqlite = await import("node:sqlite");
  } finally {
    process.emitWarning = emit;
  }
  return sqlite;
}

/**
 * Opens (creating it if need be) a database's file as D1 runs it: foreign keys enforced, WAL like wrangler's
 * files, and a busy timeout in case a `wrangler dev` on the same state holds a lock.
 */
export async function openLocal(db: LocalDatabase, opts: { readOnly?: boolean } = {}): Promise<DatabaseSync> {
  const { DatabaseSync } = await loadSqlite();
  if (!opts.readOnly) mkdirSync(dirname(db.file), { recursive: true });
  const conn = new DatabaseSync(db.file, { readOnly: opts.readOnly ?? false, enableForeignKeyConstraints: true });
  conn.exec("PRAGMA busy_timeout = 10000");
  if (!opts.readOnly) conn.exec("PRAGMA journal_mode = WAL");
  return conn;
}

const quoteId = (id: string) => `"${id.replace(/"/g, '""')}"`;

/** The migration files not yet recorded in the database's migrations table (all of them for a missing file). */
export async function pendingMigrations(db: LocalDatabase): Promise<string[]> {
  const all = migrationNames(db);
  if (!existsSync(db.file)) return all;
  const conn = await openLocal(db, { readOnly: true });
  try {
    const table = conn.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(db.migrationsTable);
    if (!table) return all;
    const applied = new Set(
      (conn.prepare(`SELECT name FROM ${quoteId(db.migrationsTable)}`).all() as Array<{ name: string }>).map(
        (r) => r.name,
      ),
    );
    return all.filter((n) => !applied.has(n));
  } finally {
    conn.close();
  }
}

/**
 * Applies migrations as `wrangler d1 migrations apply` does: the table it keeps (same DDL), then each file with its
 * record in one transaction (wrangler sends each file and its INSERT as one D1 batch), in order; the first failure
 * stops, leaving the earlier ones applied.
 */
export async function applyMigrations(db: LocalDatabase, names: string[]): Promise<void> {
  const conn = await openLocal(db);
  try {
    conn.exec(`CREATE TABLE IF NOT EXISTS ${quoteId(db.migrationsTable)}(
		id         INTEGER PRIMARY KEY AUTOINCREMENT,
		name       TEXT UNIQUE,
		applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
);`);
    const record = conn.prepare(`INSERT INTO ${quoteId(db.migrationsTable)} (name) values (?)`);
    for (const name of names) {
      const sql = readFileSync(join(db.migrationsDir, name), "utf8");
      conn.exec("BEGIN");
      try {
        conn.exec(sql);
        record.run(name);
        conn.exec("COMMIT");
      } catch (e) {
        conn.exec("ROLLBACK");
        throw new Error(`migration ${name} of ${db.binding} failed: ${(e as Error).message}`);
      }
    }
  } finally {
    conn.close();
  }
}

/** Runs SQL (one or more statements) in one transaction. */
export function inTransaction<T>(conn: DatabaseSync, fn: () => T): T {
  conn.exec("BEGIN");
  try {
    const out = fn();
    conn.exec("COMMIT");
    return out;
  } catch (e) {
    conn.exec("ROLLBACK");
    throw e;
  }
}
