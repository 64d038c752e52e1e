import type { ApiKeyScope } from "../db/control-schema";

/** Methods that never change anything. */
const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** POSTs that only compute an answer, open to read-only keys; any other non-GET/HEAD/OPTIONS route is a write. */
const READ_ONLY_POSTS = [/^\/v1\/cron-jobs\/[^/]+\/schedule\/preview$/];

/** Whether a key of `scope` may send `method` to `path`: `read_only` keys are refused every write route (403). */
export function scopeAllows(scope: ApiKeyScope, method: string, path: string): boolean {
  if (scope === "full" || READ_METHODS.has(method)) return true;
  return method === "POST" && READ_ONLY_POSTS.some((re) => re.test(path));
}
