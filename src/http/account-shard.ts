import { createMiddleware } from "hono/factory";
import { createDb } from "../db/client";
import { MOVING_RETRY_SECONDS } from "../shards/move";
import { accountShard } from "../shards/resolve";
import { BOOKMARK_HEADER, openSession, sessionBookmark, sessionConstraint } from "../shards/session";
import type { AppEnv } from "./env";
import { fail } from "./problem";

/**
 * After requireApiKey: opens a D1 session on the authenticated account's shard and hands routes a `Db` over it
 * (`c.get("db")`). Reads may be served by a replica, writes start on the primary, and a client's `X-D1-Bookmark`
 * makes the session start at least as fresh as that bookmark. Every response — errors included — carries the
 * session's bookmark back. While a move fences the account (directory state `moving`), writes answer 503 with
 * Retry-After so nothing is written to a copy that is being replaced; reads keep working on the source.
 */
export const accountShardSession = createMiddleware<AppEnv>(async (c, next) => {
  const place = await accountShard(c.env, c.get("accountId"));
  // The key's account exists in the control plane but has no directory entry: a half-provisioned account.
  if (!place) fail(503, "This account's data is not available yet; retry shortly");
  const method = c.req.method;
  if (place.state === "moving" && method !== "GET" && method !== "HEAD") {
    c.header("Retry-After", String(MOVING_RETRY_SECONDS));
    fail(503, "This account is being moved between databases; retry shortly");
  }
  const session = openSession(place.binding, sessionConstraint(method, c.req.header(BOOKMARK_HEADER)));
  c.set("db", createDb(session));
  try {
    await next();
  } finally {
    const bookmark = sessionBookmark(session);
    if (bookmark) c.header(BOOKMARK_HEADER, bookmark);
  }
});
