/**
 * D1 read replication via the Sessions API (Cloudflare D1 docs, "Read replication"): queries in a session are
 * sequentially consistent, and a returned bookmark lets the client read its own writes on any replica.
 */

/** The request and response header carrying a shard session's bookmark (the name Cloudflare's D1 examples use). */
export const BOOKMARK_HEADER = "X-D1-Bookmark";

/** D1 bookmarks are short opaque strings; anything longer or with odd characters is ignored, not an error. */
const BOOKMARK = /^[0-9A-Za-z_-]{1,128}$/;

/**
 * A request's session: the client's bookmark wins, else reads start `first-unconstrained` and writes `first-primary`.
 */
export function sessionConstraint(method: string, bookmark: string | null | undefined): string {
  if (bookmark && BOOKMARK.test(bookmark)) return bookmark;
  return method === "GET" || method === "HEAD" ? "first-unconstrained" : "first-primary";
}

/** A session over `binding`; bindings without the Sessions API (old runtimes) are returned as they are. */
export function openSession(binding: D1Database, constraint: string): D1Database | D1DatabaseSession {
  return typeof binding.withSession === "function" ? binding.withSession(constraint) : binding;
}

/** The session's bookmark after the request's queries; null where the runtime has none. */
export function sessionBookmark(session: D1Database | D1DatabaseSession): string | null {
  return "getBookmark" in session && typeof session.getBookmark === "function" ? (session.getBookmark() ?? null) : null;
}
