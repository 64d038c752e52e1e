import type { D1Migration } from "cloudflare:test";

declare global {
  namespace Cloudflare {
    interface Env {
      CONTROL_MIGRATIONS: D1Migration[];
      SHARD_MIGRATIONS: D1Migration[];
    }
  }
}
