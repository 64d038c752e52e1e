import type { ControlDb, Db } from "../db/client";
import type { ApiKeyScope } from "../db/control-schema";

/** Hono environment shared by every route: bindings plus per-request variables. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** The control plane (accounts, API keys, the shard directory). */
    control: ControlDb;
    /** The authenticated account's shard, in this request's D1 session (set by accountShardSession). */
    db: Db;
    /** Set by requireApiKey: the authenticated account. */
    accountId: string;
    /** Set by requireApiKey: the verified API key id (the rate-limit key). */
    apiKeyId: string;
    /** Set by requireApiKey: what the key may do. */
    apiKeyScope: ApiKeyScope;
    requestId: string;
  };
}
