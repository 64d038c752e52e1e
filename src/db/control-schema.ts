import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The control plane (the `DB` binding): who an account is, its API keys, and the directory saying which shard
 * database holds the rest of its data (src/shards/). Small and read through the isolate caches, so one database
 * serves every shard. Migrations: drizzle/control (drizzle.control.config.ts). All timestamps are epoch ms (UTC).
 */

export const apiKeyScopes = ["full", "read_only"] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];

export const directoryStates = ["active", "moving"] as const;
export type DirectoryState = (typeof directoryStates)[number];

export const accounts = sqliteTable("accounts", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  createdAt: integer("created_at").notNull(),
});

export const apiKeys = sqliteTable(
  "api_keys",
  {
    /** Public key id, sent as `X-API-Key`. */
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id),
    /** Hex SHA-256 of the secret sent as `X-API-Secret`; the secret itself is never stored. */
    secretHash: text("secret_hash").notNull(),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
    /** A label chosen by the customer (keys made by the operator CLI before names existed have ""). */
    name: text("name").notNull().default(""),
    /** `read_only` keys get 403 on every write route (src/http/scope.ts). */
    scope: text("scope", { enum: apiKeyScopes }).notNull().default("full"),
    /** The key stops working at this instant; null = never. */
    expiresAt: integer("expires_at"),
  },
  (t) => [index("api_keys_account_idx").on(t.accountId)],
);

/**
 * The directory: the shard (index into SHARD_0 … SHARD_{N-1}) holding each account's jobs, run ledger and logs.
 * `moving` fences an account while src/shards/move.ts copies it to `move_shard`: its ticks pause and its runs wait
 * until the directory flips. After the flip `move_shard` names the source until its copy has been removed.
 */
export const accountShards = sqliteTable(
  "account_shards",
  {
    accountId: text("account_id")
      .primaryKey()
      .references(() => accounts.id),
    shard: integer("shard").notNull(),
    state: text("state", { enum: directoryStates }).notNull().default("active"),
    moveShard: integer("move_shard"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("account_shards_shard_idx").on(t.shard)],
);

export type ControlAccountRow = typeof accounts.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type AccountShardRow = typeof accountShards.$inferSelect;
