/**
 * A log's text comes back byte for byte through every read path, whatever the codec chose for it (raw or
 * compressed, src/lib/codec): by id (POST /trigger's response, callbacks and alerts read it so), a page of the
 * JSON API, the NDJSON export, and the execution_logs view when it is stored raw.
 */
import { SELF } from "cloudflare:test";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { ExecutionLogRow } from "../../src/db/schema";
import { decodeBodyCapped } from "../../src/lib/charset";
import { executionId } from "../../src/lib/execution-id";
import { MAX_RESPONSE_BODY_BYTES, truncateUtf8 } from "../../src/lib/truncate";
import { findLog, insertLogStatements } from "../../src/logs/store";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { insertJob } from "../helpers/fixtures";
import { api, BASE, bodyText } from "../helpers/http";
import { accountD1, accountDb } from "../helpers/shards";

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
let acct: TestAccount;
let jobId: string;
let n = 0;

/** What D1 stored as TEXT before: lone surrogates become U+FFFD, as TextEncoder makes them. */
const asStored = (s: string) => new TextDecoder().decode(new TextEncoder().encode(s));

const charsets = [
  "utf-8",
  "windows-1252",
  "iso-8859-1",
  "iso-8859-2",
  "shift_jis",
  "gbk",
  "euc-kr",
  "utf-16le",
  "koi8-r",
];

/** Text as the engine stores it: random bytes decoded with a declared charset, capped at 1 KB of UTF-8. */
const decodedBody = fc
  .tuple(fc.uint8Array({ maxLength: 1500 }), fc.constantFrom(...charsets))
  .map(([bytes, cs]) => decodeBodyCapped(bytes, `text/plain; charset=${cs}`));

const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 400 }),
  fc.string({ unit: "grapheme", maxLength: 600 }).map((s) => truncateUtf8(s)),
  fc.string({ unit: "binary-ascii", maxLength: 1100 }),
  // The 1 KB cut with 4-byte characters around it.
  fc
    .tuple(fc.integer({ min: 1000, max: 1030 }), fc.constantFrom("🚀", "é", "中", "a"))
    .map(([k, c]) => truncateUtf8(`${"x".repeat(k - 4)}${c.repeat(8)}`, MAX_RESPONSE_BODY_BYTES)),
  fc.constant(""),
  fc.jsonValue().map((v) => truncateUtf8(JSON.stringify(v))),
  decodedBody,
);

/** Response headers are stored as a JSON object of text values (src/engine/response-headers.ts). */
const headersJson = fc.dictionary(fc.string({ maxLength: 20 }), text, { maxKeys: 4 }).map((o) => JSON.stringify(o));

async function write(body: string | null, error: string | null, headers: string | null): Promise<ExecutionLogRow> {
  n++;
  const log: ExecutionLogRow = {
    id: executionId(jobId, T0 + n * 60_000, 0),
    cronJobId: jobId,
    accountId: acct.accountId,
    executedAt: T0 + n * 60_000 + 5,
    status: "success",
    responseCode: 200,
    responseBody: body,
    errorMessage: error,
    responseTimeMs: 12,
    retryAttempt: 0,
    scheduledAt: T0 + n * 60_000,
    trigger: "schedule",
    responseHeaders: headers,
    decidedBy: "status_codes",
  };
  const db = await accountDb(acct.accountId);
  await db.batch(insertLogStatements(db, log) as unknown as Parameters<typeof db.batch>[0]);
  return log;
}

describe("log text round trip", () => {
  beforeAll(async () => {
    acct = await createAccount();
    jobId = (await insertJob(acct.accountId)).id;
  });

  it("findLog returns what was written, for any text", async () => {
    await fc.assert(
      fc.asyncProperty(text, fc.option(text), fc.option(headersJson), async (body, error, headers) => {
        const log = await write(body, error, headers);
        const stored = await findLog(await accountDb(acct.accountId), log.id);
        expect(stored).toEqual({
          ...log,
          responseBody: asStored(body),
          errorMessage: error === null ? null : asStored(error),
          responseHeaders: headers === null ? null : asStored(headers),
        });
      }),
      { numRuns: 150 },
    );
  });

  it("the JSON API, the export and the view return the same text as findLog", async () => {
    const samples = fc.sample(text, 40);
    const written = [];
    for (const s of samples) written.push(await write(s, null, null));
    const base = `/v1/cron-jobs/${acct.accountId}/logs/${jobId}`;
    const page = await api(`${base}?limit=100`, { headers: acct.headers });
    const byId = new Map(page.body.data.map((l: { id: string; response_body: string }) => [l.id, l.response_body]));
    const res = await SELF.fetch(`${BASE}${base}/export?format=ndjson`, { headers: acct.headers });
    const exported = new Map(
      (await bodyText(res))
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line))
        .map((l: { id: string; response_body: string }) => [l.id, l.response_body]),
    );
    const d1 = await accountD1(acct.accountId);
    for (const log of written) {
      const expected = asStored(log.responseBody ?? "");
      expect(byId.get(log.id)).toBe(expected);
      expect(exported.get(log.id)).toBe(expected);
      const viewed = await d1
        .prepare("SELECT response_body, response_body_codec FROM execution_logs WHERE id = ?")
        .bind(log.id)
        .first<{ response_body: string | null; response_body_codec: number }>();
      // The view decodes raw text only; compressed text is the API's to decode.
      if (viewed?.response_body_codec === 0) expect(viewed.response_body).toBe(expected);
      else expect(viewed?.response_body).toBeNull();
    }
  });
});
