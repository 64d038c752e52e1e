import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { loadSqlite } from "./local-d1";

/** Where `wrangler dev` / `wrangler d1 --local` keep local D1 databases (one SQLite file per database). */
const LOCAL_D1_DIR = ".wrangler/state/v3/d1/miniflare-D1DatabaseObject";

/**
 * Bytes of each local shard's SQLite file (with its WAL). Local files are named by an internal hash, so each is
 * recognised by what it holds: the control plane has the directory; a shard file is the one whose accounts the
 * directory places on that shard. Shards holding no account yet share what is left (they hold only the schema).
 */
export async function localShardBytes(directory: Map<string, number>, shards: number): Promise<Array<number | null>> {
  // Loaded on use, with its ExperimentalWarning dropped: CLI commands promise one line on stderr when they fail.
  const { DatabaseSync } = await loadSqlite();
  const out: Array<number | null> = new Array(shards).fill(null);
  if (!existsSync(LOCAL_D1_DIR)) return out;
  const unknown: number[] = [];
  for (const name of readdirSync(LOCAL_D1_DIR)) {
    if (!name.endsWith(".sqlite") || name === "metadata.sqlite") continue;
    const file = join(LOCAL_D1_DIR, name);
    const bytes = statSync(file).size + (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      const tables = new Set(
        (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map(
          (r) => r.name,
        ),
      );
      if (tables.has("account_shards") || !tables.has("cron_jobs")) continue; // the control plane, or not ours
      const ids = (db.prepare("SELECT id FROM accounts").all() as Array<{ id: string }>).map((r) => r.id);
      const shard = ids.map((id) => directory.get(id)).find((s) => s !== undefined);
      if (shard !== undefined && shard < shards) out[shard] = bytes;
      else unknown.push(bytes);
    } finally {
      db.close();
    }
  }
  for (let i = 0; i < shards && unknown.length > 0; i++) if (out[i] === null) out[i] = unknown.shift() as number;
  return out;
}
