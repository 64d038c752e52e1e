/**
 * Create and update with everything valid but the body: wrong JSON types, unknown and prototype-polluting
 * keys, deep nesting, huge or non-finite numbers, unicode, truncated and oversized documents, odd
 * Content-Types. Refused bodies change nothing; accepted ones are stored exactly as the response says.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { insertJob } from "../helpers/fixtures";
import { api } from "../helpers/http";
import {
  checkRequest,
  contentType,
  FUZZ_TIMEOUT,
  isWellFormed,
  jobBody,
  jsonBodyText,
  RUNS,
  SAFE_URL,
  type Tally,
  wellFormedError,
} from "./support";

let acct: TestAccount;
let jobId: string;
beforeAll(async () => {
  acct = await createAccount("Fuzz bodies");
  jobId = (
    await insertJob(acct.accountId, { endpointUrl: SAFE_URL, maxRetries: 0, nextRunAt: Date.now() + 86_400_000 })
  ).id;
});

const body = fc.record({
  text: fc.oneof(
    { weight: 4, arbitrary: jsonBodyText },
    { weight: 1, arbitrary: jobBody.map((b) => JSON.stringify(b)) },
  ),
  type: contentType,
});

describe.each([
  ["POST", "create"],
  ["PATCH", "update"],
])("%s /%s with hostile bodies", (method, action) => {
  it(
    "no 5xx, 4xx are problems, refused bodies change nothing",
    async () => {
      const tally: Tally = new Map();
      await fc.assert(
        fc.asyncProperty(body, async ({ text, type }) => {
          const path = `/v1/cron-jobs/${acct.accountId}/${action}${action === "update" ? `/${jobId}` : ""}`;
          const headers: Record<string, string> = { ...acct.headers };
          if (type !== undefined) headers["Content-Type"] = type;
          await checkRequest({ method, path, headers, body: text }, [acct.accountId], tally);
        }),
        { numRuns: RUNS },
      );
      expect([...tally.keys()].some((s) => s < 300)).toBe(true);
      expect([...tally.keys()].some((s) => s === 400)).toBe(true);
    },
    FUZZ_TIMEOUT,
  );
});

describe("accepted bodies", () => {
  it(
    "a created job reads back exactly as the create response showed it",
    async () => {
      const owner = await createAccount("Fuzz round trip");
      await fc.assert(
        fc.asyncProperty(jobBody, (job) => roundTrip(owner, job).catch((e) => Promise.reject(wellFormedError(e)))),
        { numRuns: Math.round(RUNS / 2) },
      );
    },
    FUZZ_TIMEOUT,
  );
});

async function roundTrip(owner: TestAccount, job: Record<string, unknown>) {
  const created = await api(`/v1/cron-jobs/${owner.accountId}/create`, {
    method: "POST",
    headers: { ...owner.headers, "Content-Type": "application/json" },
    body: JSON.stringify(job),
  });
  expect(created.status, JSON.stringify(created.body)).toBeLessThan(500);
  if (created.status !== 201) return;
  const read = await api(`/v1/cron-jobs/${owner.accountId}/details/${created.body.data.id}`, {
    headers: owner.headers,
  });
  expect(read.body.data).toEqual(created.body.data);
  const name = (job.name as string).trim();
  // A lone surrogate cannot be stored as UTF-8: it comes back as U+FFFD.
  if (isWellFormed(name)) expect(created.body.data.name).toBe(name);
  // Keep the account under its active-job limit.
  await api(`/v1/cron-jobs/${owner.accountId}/delete/${created.body.data.id}`, {
    method: "DELETE",
    headers: owner.headers,
  });
}
