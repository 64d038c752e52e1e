/**
 * The real executor: the job's request with a hard deadline and a 1 KB body cap. Redirects are followed by hand
 * (at most 5) so each Location passes the target guard; a 3xx without a usable Location is a failure. A
 * cross-origin hop keeps only the User-Agent and is refused if it would resend a body (docs/API-NOTES.md "Redirects").
 * Bodies arrive as sent (`encodeResponseBody: "manual"`) and their codings are undone here, up to the cap.
 */

import { encodedRequestBody } from "../../lib/charset";
import { untilAborted } from "../../lib/content-coding";
import type { ExecutionRequest, ExecutionResult, Executor } from "../../lib/execution";
import { errorResult, failureMessage, timeoutResult } from "../../lib/execution-results";
import { storedResponseBody } from "../../lib/response-body";
import { refusedHostReason, unsupportedSchemeReason } from "../../lib/target-guard";
import { keptResponseHeaders } from "../response-headers";

export interface HttpExecutorOptions {
  /** ALLOW_PRIVATE_TARGETS (local development, tests): loopback targets are allowed; every other refusal stays. */
  allowPrivateTargets: boolean;
  fetch?: typeof fetch;
  /** Deadline in ms for a timeout in seconds; tests shorten it while logs keep the job's timeout. */
  deadlineMs?: (timeoutSeconds: number) => number;
}

export const MAX_REDIRECTS = 5;
export const USER_AGENT = "edgecron/1.0";
/** The codings src/lib/content-coding.ts undoes: a server then has no reason to pick br or zstd. */
export const ACCEPT_ENCODING = "gzip, deflate";

const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);
// Dropped when a redirect turns the request into a bodiless GET (as the Fetch standard does).
const BODY_HEADERS = ["content-type", "content-length", "content-encoding", "content-language", "content-location"];

type Check = (url: URL) => string | null;

export function createHttpExecutor(opts: HttpExecutorOptions): Executor {
  // Looked up per call so tests (and the runtime) can swap the global.
  const doFetch: typeof fetch = opts.fetch ?? ((input, init) => fetch(input, init));
  const check: Check = (url) => unsupportedSchemeReason(url) ?? refusedHostReason(url, opts.allowPrivateTargets);
  const deadlineMs = opts.deadlineMs ?? ((s: number) => s * 1000);
  return { execute: (req) => execute(req, doFetch, check, deadlineMs(req.timeoutSeconds)) };
}

async function execute(
  req: ExecutionRequest,
  doFetch: typeof fetch,
  check: Check,
  deadlineMs: number,
): Promise<ExecutionResult> {
  let url: URL;
  try {
    url = new URL(req.endpointUrl);
  } catch {
    // Never quoted: the URL may carry secret query values, and logs are shown to every key scope.
    return errorResult("Invalid URL: endpoint_url is not an absolute URL", null);
  }
  const refused = check(url);
  if (refused) return errorResult(`Refused target: ${refused}`, null);

  let headers: Headers;
  try {
    headers = new Headers(req.headers);
  } catch (e) {
    return errorResult(`Invalid request headers: ${messageOf(e)}`, null);
  }
  if (!headers.has("user-agent")) headers.set("user-agent", USER_AGENT);
  if (!headers.has("accept-encoding")) headers.set("accept-encoding", ACCEPT_ENCODING);
  let method = req.method.toUpperCase();
  // fetch() rejects a body on GET/HEAD; such a job still runs, without it.
  let body = method === "GET" || method === "HEAD" ? null : encodedRequestBody(req.body, headers.get("content-type"));

  // One deadline for every hop, the headers and the body read.
  const signal = AbortSignal.timeout(deadlineMs);
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  try {
    for (let hop = 0; ; hop++) {
      const init: RequestInit = { method, headers, body, redirect: "manual", signal, encodeResponseBody: "manual" };
      const res = await untilAborted(doFetch(url, init), signal);
      const location = REDIRECT_CODES.has(res.status) ? res.headers.get("location") || null : null;
      const answer = async (errorMessage: string | null): Promise<ExecutionResult> => ({
        status: res.status >= 200 && res.status < 300 ? "success" : "failure",
        responseCode: res.status,
        responseBody: await storedResponseBody(res.body, res.headers, signal),
        errorMessage,
        responseTimeMs: elapsed(),
        responseHeaders: keptResponseHeaders(res.headers),
        retryAfterSeconds:
          res.status === 429 || res.status === 503 ? parseRetryAfter(res.headers.get("retry-after")) : null,
      });
      if (location === null) {
        const ok = res.status >= 200 && res.status < 300;
        return await answer(ok ? null : failureMessage(res.status));
      }
      const giveUp = (message: string) => {
        void res.body?.cancel().catch(() => {});
        return errorResult(message, elapsed());
      };
      if (hop >= MAX_REDIRECTS) return giveUp(`Too many redirects (more than ${MAX_REDIRECTS})`);
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        return giveUp(`Invalid redirect location: ${location}`);
      }
      const refusedHop = check(next);
      if (refusedHop) return giveUp(`Refused redirect target: ${refusedHop}`);
      const bodyless =
        (res.status === 303 && method !== "HEAD") || ((res.status === 301 || res.status === 302) && method === "POST");
      const crossOrigin = next.origin !== url.origin;
      if (crossOrigin && !bodyless && body !== null && body !== "") {
        return await answer(
          `Redirect to another origin not followed: it would resend the request body to ${next.origin}`,
        );
      }
      void res.body?.cancel().catch(() => {});
      if (bodyless) {
        method = "GET";
        body = null;
        for (const name of BODY_HEADERS) headers.delete(name);
      }
      // The request's headers were meant for this origin: the next one gets only edgecron's own.
      if (crossOrigin) headers = new Headers({ "user-agent": USER_AGENT, "accept-encoding": ACCEPT_ENCODING });
      url = next;
    }
  } catch (e) {
    if (signal.aborted) return timeoutResult(req.timeoutSeconds);
    return errorResult(networkErrorMessage(e, url), elapsed());
  }
}

/**
 * The body in the charset its Content-Type declares when that is a single-byte encoding and every character has a
 * byte there (checked at create and update); anything else goes as UTF-8, as jobs stored before that check ran.
 */
const HTTP_DATE = /^[a-z]{3,9},? [\w :-]+$/i;

/** Retry-After as seconds from now: delay-seconds or an HTTP-date (past dates give 0); null if absent/garbled. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  if (!HTTP_DATE.test(v)) return null;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Runtime errors vary by platform; the common ones get stable wording, the rest pass through. */
function networkErrorMessage(e: unknown, url: URL): string {
  const message = messageOf(e).trim().replace(/\.$/, "");
  if (/refused/i.test(message)) return "Connection refused";
  if (/dns|getaddrinfo|ENOTFOUND|lookup|not resolve|name not resolved/i.test(message)) {
    return `DNS lookup failed for ${url.hostname}`;
  }
  if (/reset/i.test(message)) return "Connection reset by peer";
  // workerd reports some failures (e.g. an unresolvable host) only as "internal error; reference = <id>".
  if (message === "" || /^internal error/i.test(message)) return `Could not connect to ${url.host}`;
  return message;
}
