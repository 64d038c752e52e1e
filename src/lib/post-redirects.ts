import { refusedTargetReason } from "./target-guard";

/** Redirects a delivery follows before it fails (docs/API-NOTES.md "Deliveries"). */
export const MAX_DELIVERY_REDIRECTS = 5;

/** Codes that keep the method and body (RFC 9110 §15.4.8, §15.4.9): followed with the same POST. */
const REPEAT_POST = new Set([307, 308]);
/** Codes after which clients switch a POST to GET (RFC 9110 §15.4.2–4): never followed, the delivery fails. */
const TO_GET = new Set([301, 302, 303]);

export interface DeliveryPost {
  body: string;
  /** Sent on every hop. */
  headers: Record<string, string>;
  /** Sent only to the first URL's origin, never after a hop to another origin: the signature, configured headers. */
  originHeaders: Record<string, string>;
  signal: AbortSignal;
  /** ALLOW_PRIVATE_TARGETS: the guard allows loopback hops. */
  allowLoopback: boolean;
}

export type PostResult =
  /** The final answer (not a followed redirect); `url` is where it came from. */
  | { kind: "response"; status: number; url: string }
  /** A hop the target guard refused: nothing was sent to it. */
  | { kind: "refused"; status: number; reason: string }
  /** A redirect not followed (301/302/303, too many): retrying cannot help. */
  | { kind: "failed"; status: number; reason: string }
  /** No answer: network error or timeout. */
  | { kind: "error"; reason: string };

/**
 * POSTs `post` to `url`, following 307/308 up to MAX_DELIVERY_REDIRECTS hops, each checked by the target guard
 * (the first URL is the caller's to check). Callbacks and alert webhooks share it.
 */
export async function postFollowingRedirects(fetchFn: typeof fetch, url: URL, post: DeliveryPost): Promise<PostResult> {
  let current = url;
  let sameOrigin = true;
  for (let hop = 0; ; hop++) {
    let res: Response;
    try {
      res = await fetchFn(current.toString(), {
        method: "POST",
        headers: sameOrigin ? { ...post.headers, ...post.originHeaders } : post.headers,
        body: post.body,
        redirect: "manual",
        signal: post.signal,
      });
    } catch (err) {
      return { kind: "error", reason: String((err as Error)?.message ?? err) };
    }
    await res.body?.cancel();
    const location = res.headers.get("location");
    const redirect = REPEAT_POST.has(res.status) || TO_GET.has(res.status);
    // A 3xx without Location is an answer, not a redirect (RFC 9110 §15.4).
    if (!redirect || location === null) return { kind: "response", status: res.status, url: current.toString() };
    if (TO_GET.has(res.status)) {
      const reason = `HTTP ${res.status} redirect to ${location} not followed: a POST is not re-sent as a GET; use 307 or 308`;
      return { kind: "failed", status: res.status, reason };
    }
    if (hop >= MAX_DELIVERY_REDIRECTS) {
      return { kind: "failed", status: res.status, reason: `More than ${MAX_DELIVERY_REDIRECTS} redirects` };
    }
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      return {
        kind: "failed",
        status: res.status,
        reason: `HTTP ${res.status} redirect to an invalid URL: ${location}`,
      };
    }
    const refused = refusedTargetReason(next, post.allowLoopback);
    if (refused) return { kind: "refused", status: res.status, reason: `Redirect to ${next.href}: ${refused}` };
    // Once the chain leaves the origin it never gets the origin's headers back, even on a hop home.
    if (next.origin !== url.origin) sameOrigin = false;
    current = next;
  }
}
