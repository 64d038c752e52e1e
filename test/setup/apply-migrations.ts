import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { shardBinding, shardNumbers } from "../../src/shards/bindings";

/**
 * One workerd runs every test file (`isolate: false` in vitest.config.ts), so its databases outlive a file: each
 * file starts from empty tables, as a fresh workerd per file gave it. Passes repeat because triggers (log counts)
 * write into tables a pass has already emptied.
 */
async function emptyTables(db: D1Database): Promise<void> {
  const { results } = await db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'd1_migrations' " +
        "AND name NOT LIKE 'sqlite!_%' ESCAPE '!' AND name NOT LIKE '!_cf!_%' ESCAPE '!'",
    )
    .all<{ name: string }>();
  if (results.length === 0) return;
  const counts = results.map(({ name }) => db.prepare(`SELECT count(*) AS n FROM "${name}"`));
  for (let pass = 0; pass < 5; pass++) {
    if ((await db.batch<{ n: number }>(counts)).every(({ results }) => results[0]?.n === 0)) return;
    await db.batch([
      db.prepare("PRAGMA defer_foreign_keys = ON"),
      ...results.map(({ name }) => db.prepare(`DELETE FROM "${name}"`)),
    ]);
  }
  throw new Error("test setup: tables still hold rows after 5 passes");
}

const databases = [env.DB, ...shardNumbers(env).map((shard) => shardBinding(env, shard))];
for (const db of databases) await emptyTables(db);
// Setup files run before every test file; applyD1Migrations skips what is already applied.
await applyD1Migrations(env.DB, env.CONTROL_MIGRATIONS);
for (const shard of shardNumbers(env)) await applyD1Migrations(shardBinding(env, shard), env.SHARD_MIGRATIONS);
