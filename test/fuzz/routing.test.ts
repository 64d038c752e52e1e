/**
 * Any method on any path, documented or not, with hostile headers and bodies: unknown routes, the exempt
 * pages (/health, /docs, /openapi.json, /dashboard), traversal and encoding tricks, wrong methods.
 */
import fc from "fast-check";
import { it } from "vitest";
import { createApp } from "../../src/app";
import { createAccount } from "../helpers/accounts";
import { insertJob } from "../helpers/fixtures";
import {
  checkRequest,
  contentType,
  credentials,
  extraHeaders,
  FUZZ_TIMEOUT,
  fillPath,
  queryString,
  RUNS,
  SAFE_URL,
  segment,
  text,
} from "./support";

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND", "MKCOL", "get", "patch"];

it(
  "no 5xx and every 4xx a problem, on any route",
  async () => {
    const acct = await createAccount("Fuzz routing");
    const other = await createAccount("Fuzz routing other");
    const job = await insertJob(acct.accountId, { endpointUrl: SAFE_URL, maxRetries: 0, isActive: false });
    const templates = [
      ...new Set(
        createApp()
          .routes.filter((r) => r.method !== "ALL")
          .map((r) => r.path),
      ),
    ];
    const valid = [acct.accountId, job.id];
    const path = fc.oneof(
      {
        weight: 4,
        arbitrary: fc
          .tuple(fc.constantFrom(...templates), segment(valid), segment(valid))
          .map(([t, a, b]) => fillPath(t, { accountId: a, cron_job_id: b })),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(
            fc.constantFrom(...templates),
            fc.constantFrom("/", "//", "/..", "/../..", "/%2e%2e", "/.", "%00", ";x", "/x"),
          )
          .map(([t, suffix]) => fillPath(t, { accountId: acct.accountId, cron_job_id: job.id }) + suffix),
      },
      {
        weight: 2,
        arbitrary: fc
          .array(segment(["v1", "cron-jobs", acct.accountId, "health", "docs"]), { maxLength: 6 })
          .map((s) => `/${s.join("/")}`),
      },
      { weight: 1, arbitrary: text.map((s) => `/${s}`) },
    );
    const request = fc.record({
      method: fc.constantFrom(...METHODS),
      path,
      query: queryString({}),
      extra: extraHeaders,
      auth: credentials(acct.headers as never, other.headers as never),
      body: fc.option(text, { nil: undefined }),
      type: contentType,
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers: Record<string, string> = { ...r.extra, ...r.auth };
        if (r.body !== undefined && r.type !== undefined) headers["Content-Type"] = r.type;
        await checkRequest({ method: r.method, path: r.path + r.query, headers, body: r.body }, [
          acct.accountId,
          other.accountId,
        ]);
      }),
      { numRuns: RUNS * 2 },
    );
  },
  FUZZ_TIMEOUT,
);
