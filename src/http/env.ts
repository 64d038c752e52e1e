import type { Db } from "../db/client";
import type { ApiKeyScope } from "../db/schema";

/** Hono environment shared by every route: bindings plus per-request variables. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
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
