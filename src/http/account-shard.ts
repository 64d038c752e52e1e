import { createMiddleware } from "hono/factory";
import { createDb } from "../db/client";
import { MOVING_RETRY_SECONDS } from "../shards/move";
import { accountShard } from "../shards/resolve";
import { BOOKMARK_HEADER, openSession, sessionBookmark, sessionConstraint } from "../shards/session";
import type { AppEnv } from "./env";
import { fail } from "./problem";

/**
 * After requireApiKey: a D1 session on the account's shard as `c.get("db")`, at least as fresh as the client's
 * `X-D1-Bookmark`; every response carries the session's bookmark. While a move fences the account, writes get
 * 503 with Retry-After so nothing lands on a copy being replaced; reads continue.
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
