import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The control plane (`DB`): accounts, API keys and the shard directory. Small and cached per isolate, so one
 * database serves every shard. Migrations: drizzle/control. Timestamps are epoch ms (UTC).
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
 * The directory: each account's shard (index into SHARD_0 … SHARD_{N-1}). `moving` fences it while
 * src/shards/move.ts copies it to `move_shard`; after the flip `move_shard` names the source until it is removed.
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

/**
 * Each account's ping key (src/monitors/ping-key.ts): a ping finds it by `key_hash` (hex SHA-256); the key itself is
 * sealed (src/lib/secrets/crypto.ts), so ping URLs can be shown again. Rotation replaces the row's values.
 */
export const pingKeys = sqliteTable("ping_keys", {
  accountId: text("account_id")
    .primaryKey()
    .references(() => accounts.id),
  keyHash: text("key_hash").notNull().unique("ping_keys_key_hash_unique"),
  sealedKey: text("sealed_key").notNull(),
  createdAt: integer("created_at").notNull(),
});

/** Monitor id → account, so `/ping/{monitor_uuid}` finds the account's shard with the one control-plane read. */
export const monitorRoutes = sqliteTable("monitor_routes", {
  monitorId: text("monitor_id").primaryKey(),
  accountId: text("account_id")
    .notNull()
    .references(() => accounts.id),
});

export type PingKeyRow = typeof pingKeys.$inferSelect;

export type ControlAccountRow = typeof accounts.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type AccountShardRow = typeof accountShards.$inferSelect;
