import { beforeAll, describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "../../src/logs/cursor";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { insertJob, insertLogs } from "../helpers/fixtures";
import { api, expectProblem } from "../helpers/http";

const T0 = Date.UTC(2024, 0, 25, 14, 0, 0);
const HOUR = 3_600_000;

let acct: TestAccount;
let jobId: string;
const get = (query = "") => api(`/v1/cron-jobs/${acct.accountId}/logs/${jobId}${query}`, { headers: acct.headers });
const ids = (res: { body: { data: { id: string }[] } }) => res.body.data.map((l) => l.id);
type Row = { id: string; executedAt: number };
const newestFirst = (rows: Row[]) =>
  [...rows].sort((a, b) => b.executedAt - a.executedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));

/** Follows next_cursor from the first response to the end, returning every id seen and every page size. */
async function follow(
  first: { body: { data: { id: string }[]; pagination: { next_cursor: string | null } } },
  extra = "",
) {
  const seen = ids(first);
  const sizes = [first.body.data.length];
  let cursor = first.body.pagination.next_cursor;
  while (cursor) {
    const res = await get(`?cursor=${cursor}${extra}`);
    expect(res.status).toBe(200);
    seen.push(...ids(res));
    sizes.push(res.body.data.length);
    cursor = res.body.pagination.next_cursor;
  }
  return { seen, sizes };
}

describe("cursors", () => {
  it("round-trip a position", () => {
    const p = { executedAt: 1706191200000, id: "exe_01JMZ3Q4T8A1B2C3D4E5F6G7H8" };
    const c = encodeCursor(p);
    expect(c).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    expect(decodeCursor(c)).toEqual(p);
    expect(decodeCursor(encodeCursor({ executedAt: 0, id: "x" }))).toEqual({ executedAt: 0, id: "x" });
  });

  const valid = encodeCursor({ executedAt: 1706191200000, id: "exe_1" });
  const b64 = (s: string) => btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  it.each([
    ["empty", ""],
    ["no prefix", valid.slice(3)],
    ["another version", `v2.${valid.slice(3)}`],
    ["prefix only", "v1."],
    ["not base64url", "v1.abc$def"],
    ["padded", `${valid}=`],
    ["truncated", valid.slice(0, -2)],
    ["a changed character", `${valid.slice(0, 10)}${valid[10] === "A" ? "B" : "A"}${valid.slice(11)}`],
    ["not JSON", `v1.${b64("hello")}`],
    ["an object", `v1.${b64('{"t":1,"id":"x"}')}`],
    ["three items", `v1.${b64('[1,"x",2]')}`],
    ["a negative time", `v1.${b64('[-1,"x"]')}`],
    ["a fractional time", `v1.${b64('[1.5,"x"]')}`],
    ["a time as a string", `v1.${b64('["1","x"]')}`],
    ["an empty id", `v1.${b64('[1,""]')}`],
    ["an id with a space", `v1.${b64('[1,"a b"]')}`],
    ["non-canonical JSON", `v1.${b64('[1, "x"]')}`],
    ["too long", `v1.${"A".repeat(600)}`],
  ])("refuse %s", (_, cursor) => {
    expect(decodeCursor(cursor)).toBeNull();
  });
});

describe("GET /logs/{cron_job_id}?cursor", () => {
  let rows: Row[];
  beforeAll(async () => {
    acct = await createAccount();
    jobId = (await insertJob(acct.accountId)).id;
    const inserted = await insertLogs(
      jobId,
      acct.accountId,
      Array.from({ length: 12 }, (_, i) => ({
        executedAt: T0 - i * HOUR,
        status: i % 3 === 0 ? ("failure" as const) : ("success" as const),
      })),
    );
    // Three ties at one instant, so a page boundary falls between them.
    const ties = await insertLogs(jobId, acct.accountId, [
      { id: "exe_tie_a", executedAt: T0 - 4 * HOUR - 1 },
      { id: "exe_tie_b", executedAt: T0 - 4 * HOUR - 1 },
      { id: "exe_tie_c", executedAt: T0 - 4 * HOUR - 1 },
    ]);
    rows = newestFirst([...inserted, ...ties]);
  });

  it("a page response carries the cursor of its last log; the cursor page has the exact shape", async () => {
    const first = await get("?limit=4");
    expect(first.body.pagination).toEqual({
      page: 1,
      limit: 4,
      total_items: 15,
      total_pages: 4,
      next_cursor: encodeCursor(rows[3] as Row),
    });
    const second = await get(`?limit=4&cursor=${first.body.pagination.next_cursor}`);
    expect(second.status).toBe(200);
    expect(second.body).toEqual({
      data: rows.slice(4, 8).map((r) => expect.objectContaining({ id: r.id })),
      pagination: { limit: 4, next_cursor: encodeCursor(rows[7] as Row) },
    });
    expect(ids(second)).toEqual(rows.slice(4, 8).map((r) => r.id));
  });

  it("walks every log once, newest first, through ties; the last page's next_cursor is null", async () => {
    for (const limit of [1, 2, 3, 5, 14, 15, 100]) {
      const { seen, sizes } = await follow(await get(`?limit=${limit}`), `&limit=${limit}`);
      expect(seen).toEqual(rows.map((r) => r.id));
      expect(sizes.at(-1)).toBeGreaterThan(0); // exactly-full last pages say so: no empty trailing page
      expect(sizes.reduce((a, b) => a + b)).toBe(15);
    }
  });

  it("a page whose size equals the remaining logs ends the walk", async () => {
    const res = await get(`?limit=5&cursor=${encodeCursor(rows[9] as Row)}`);
    expect(ids(res)).toEqual(rows.slice(10).map((r) => r.id));
    expect(res.body.pagination).toEqual({ limit: 5, next_cursor: null });
  });

  it("a page number past the end and a cursor at the end both say null", async () => {
    expect((await get("?page=9&limit=5")).body.pagination.next_cursor).toBeNull();
    expect((await get("?page=3&limit=5")).body.pagination.next_cursor).toBeNull();
    const last = await get(`?cursor=${encodeCursor(rows[14] as Row)}`);
    expect(last.body).toEqual({ data: [], pagination: { limit: 50, next_cursor: null } });
  });

  it("combines with status and dates", async () => {
    const start = new Date(T0 - 10 * HOUR).toISOString();
    const end = new Date(T0 - HOUR).toISOString();
    const filter = `&status=success&start_date=${start}&end_date=${end}`;
    const expected = rows
      .filter((r) => r.executedAt >= T0 - 10 * HOUR && r.executedAt <= T0 - HOUR)
      .filter((r) => ((T0 - r.executedAt) / HOUR) % 3 !== 0) // failures are at multiples of 3 hours; ties succeed
      .map((r) => r.id);
    expect(expected).toHaveLength(10);
    const { seen } = await follow(await get(`?limit=2${filter}`), `&limit=2${filter}`);
    expect(seen).toEqual(expected);
  });

  it("a cursor newer than end_date (filters changed between pages): end_date still bounds the page", async () => {
    const end = new Date(T0 - 5 * HOUR).toISOString();
    const res = await get(`?end_date=${end}&limit=3&cursor=${encodeCursor(rows[0] as Row)}`);
    const expected = rows.filter((r) => r.executedAt <= T0 - 5 * HOUR);
    expect(ids(res)).toEqual(expected.slice(0, 3).map((r) => r.id));
    expect(res.body.pagination.next_cursor).toBe(encodeCursor(expected[2] as Row));
  });

  it("never skips or repeats while newer logs arrive between pages (page numbers would)", async () => {
    const account = await createAccount();
    const job = (await insertJob(account.accountId)).id;
    const base = await insertLogs(
      job,
      account.accountId,
      Array.from({ length: 10 }, (_, i) => ({ executedAt: T0 - i * HOUR })),
    );
    const url = (q: string) => api(`/v1/cron-jobs/${account.accountId}/logs/${job}${q}`, { headers: account.headers });
    const first = await url("?limit=3");
    const seen = ids(first);
    let cursor: string | null = first.body.pagination.next_cursor;
    let round = 0;
    while (cursor) {
      round++;
      await insertLogs(job, account.accountId, [
        { executedAt: T0 + round * HOUR },
        { executedAt: T0 + round * HOUR + 1 },
      ]);
      const res = await url(`?limit=3&cursor=${cursor}`);
      seen.push(...ids(res));
      cursor = res.body.pagination.next_cursor;
    }
    expect(seen).toEqual(newestFirst(base).map((r) => r.id));
    expect(new Set(seen).size).toBe(10);
    // The same walk by page number repeats logs once new ones arrive.
    const page2 = await url("?limit=3&page=2");
    expect(ids(page2)).not.toEqual(ids(await url(`?limit=3&cursor=${first.body.pagination.next_cursor}`)));
  });

  it("page and cursor together → 400 naming both", async () => {
    const res = await get(`?page=2&cursor=${encodeCursor(rows[0] as Row)}`);
    expect(expectProblem(res, 400)).toEqual({
      type: "https://edgecron.dev/problems/validation-error",
      title: "Bad Request",
      status: 400,
      detail: "Invalid request: 'page', 'cursor'",
      errors: [
        { field: "page", in: "query", message: "cannot be combined with cursor" },
        { field: "cursor", in: "query", message: "cannot be combined with page" },
      ],
    });
  });

  it.each([
    ["garbage", "garbage"],
    ["empty", ""],
    ["tampered", `${encodeCursor({ executedAt: T0, id: "exe_x" })}A`],
    ["another version", encodeCursor({ executedAt: T0, id: "exe_x" }).replace(/^v1/, "v9")],
  ])("cursor %s → 400 naming cursor", async (_, cursor) => {
    const res = await get(`?cursor=${encodeURIComponent(cursor)}`);
    expect(expectProblem(res, 400)).toEqual({
      type: "https://edgecron.dev/problems/validation-error",
      title: "Bad Request",
      status: 400,
      detail:
        "Invalid query parameter 'cursor': is not a valid cursor; pass pagination.next_cursor from a previous response unchanged",
      errors: [
        {
          field: "cursor",
          in: "query",
          message: "is not a valid cursor; pass pagination.next_cursor from a previous response unchanged",
        },
      ],
    });
  });

  it("a cursor on another account's job → 404; on a deleted job → 404", async () => {
    const other = await createAccount("Other");
    const theirs = await insertJob(other.accountId);
    const cursor = encodeCursor({ executedAt: T0, id: "exe_x" });
    expectProblem(
      await api(`/v1/cron-jobs/${acct.accountId}/logs/${theirs.id}?cursor=${cursor}`, { headers: acct.headers }),
      404,
      `Cron job ${theirs.id} not found`,
    );
    const gone = await insertJob(acct.accountId, { deletedAt: Date.now() });
    expectProblem(
      await api(`/v1/cron-jobs/${acct.accountId}/logs/${gone.id}?cursor=${cursor}`, { headers: acct.headers }),
      404,
    );
    expectProblem(
      await api(`/v1/cron-jobs/${acct.accountId}/logs/${jobId}?cursor=${cursor}`, { headers: other.headers }),
      403,
    );
  });
});
