import { beforeAll, describe, expect, it } from "vitest";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { expectProblem } from "../helpers/http";
import { jobsApi, quickStart } from "../helpers/jobs";
import { shardD1 } from "../helpers/shards";

let jobs: ReturnType<typeof jobsApi>;
let acct: TestAccount;

beforeAll(async () => {
  acct = await createAccount();
  jobs = jobsApi(acct);
});

const fields = (res: { body: Record<string, unknown> }) =>
  (res.body.errors as Array<{ field: string; message: string }>).map((e) => e.field);
const job = (extra: Record<string, unknown>) => ({ ...quickStart(), ...extra });
const latin1 = { "Content-Type": "text/plain; charset=iso-8859-1" };

/** A job row as one stored before the checks: the columns written directly. */
async function legacy(
  id: string,
  columns: { headers?: Record<string, string>; body?: string; secretHeaders?: string[] },
) {
  const db = shardD1();
  if (columns.headers)
    await db.prepare("UPDATE cron_jobs SET headers = ? WHERE id = ?").bind(JSON.stringify(columns.headers), id).run();
  if (columns.body !== undefined)
    await db.prepare("UPDATE cron_jobs SET body = ? WHERE id = ?").bind(columns.body, id).run();
  if (columns.secretHeaders)
    await db
      .prepare("UPDATE cron_jobs SET secret_headers = ? WHERE id = ?")
      .bind(JSON.stringify(columns.secretHeaders), id)
      .run();
}

describe("header names that differ only in case", () => {
  it("refuses them on create, naming both", async () => {
    const res = await jobs.create(job({ headers: { Authorization: "Bearer a", AUTHORIZATION: "Bearer b" } }));
    const problem = expectProblem(res, 400, "Invalid request: 'headers.Authorization', 'headers.AUTHORIZATION'");
    expect(fields(res)).toEqual(["headers.Authorization", "headers.AUTHORIZATION"]);
    const [first] = problem.errors as Array<{ message: string }>;
    expect(first?.message).toMatch(/^differs only in case from "AUTHORIZATION" \(header names are case-insensitive\)/);
  });

  it("names every name of a larger group, and secret_headers too", async () => {
    const res = await jobs.create(
      job({ headers: { "x-a": "1", "X-A": "2", "x-A": "3" }, secret_headers: ["X-Tenant", "x-other", "x-tenant"] }),
    );
    expectProblem(res, 400);
    expect(fields(res)).toEqual(["headers.x-a", "headers.X-A", "headers.x-A", "secret_headers.0", "secret_headers.2"]);
  });

  it("refuses them on update", async () => {
    const id = (await jobs.create(job({}))).body.data.id;
    const res = await jobs.update(id, { headers: { "X-Trace": "1", "x-trace": "2" } });
    expectProblem(res, 400);
    expect(fields(res)).toEqual(["headers.X-Trace", "headers.x-trace"]);
  });

  it("accepts distinct names and the same name listed twice in secret_headers", async () => {
    const res = await jobs.create(job({ headers: { "X-A": "1", "X-B": "2" }, secret_headers: ["X-A", "X-A"] }));
    expect(res.status).toBe(201);
    expect(res.body.data.warnings).toEqual([]);
  });
});

describe("a declared request charset", () => {
  it("accepts a single-byte charset whose characters the body keeps to", async () => {
    const res = await jobs.create(job({ headers: latin1, body: "prix: 5 € — café" }));
    expect(res.status).toBe(201);
    expect(res.body.data.warnings).toEqual([]);
  });

  it("refuses a body character the charset has no byte for, naming body", async () => {
    const res = await jobs.create(job({ headers: latin1, body: "ok ✓" }));
    const problem = expectProblem(
      res,
      400,
      /^Invalid body parameter 'body': has "✓" \(U\+2713\) at character 4 that windows-1252 cannot encode \(headers\.Content-Type declares charset=iso-8859-1\)/,
    );
    expect(fields({ body: problem })).toEqual(["body"]);
  });

  it("does not repeat a secret body's character", async () => {
    const res = await jobs.create(job({ headers: latin1, body: "pin ✓", body_is_secret: true }));
    const problem = expectProblem(res, 400);
    expect(JSON.stringify(problem)).not.toContain("✓");
    expect((problem.errors as Array<{ message: string }>)[0]?.message).toMatch(/^has a character at character 5 /);
  });

  it.each(["shift_jis", "utf-16le", "gbk", "x-user-defined", "no-such-charset"])(
    "refuses charset=%s, naming the header as sent",
    async (charset) => {
      const res = await jobs.create(job({ headers: { "content-type": `text/plain; charset=${charset}` } }));
      const problem = expectProblem(res, 400);
      expect(fields({ body: problem })).toEqual(["headers.content-type"]);
      expect((problem.errors as Array<{ message: string }>)[0]?.message).toContain(
        `declares charset=${charset}, which`,
      );
    },
  );

  it.each(["utf-8", "UTF8", "unicode-1-1-utf-8"])("accepts charset=%s", async (charset) => {
    const res = await jobs.create(job({ headers: { "Content-Type": `application/json; charset=${charset}` } }));
    expect(res.status).toBe(201);
  });

  it("checks an update's body against the stored charset, and new headers against the stored body", async () => {
    const withCharset = (await jobs.create(job({ headers: latin1, body: "café" }))).body.data.id;
    expect(fields(await jobs.update(withCharset, { body: "✓" }))).toEqual(["body"]);
    expect((await jobs.update(withCharset, { body: "crème" })).status).toBe(200);

    const withTick = (await jobs.create(job({ headers: {}, body: "✓" }))).body.data.id;
    expect(fields(await jobs.update(withTick, { headers: { "Content-Type": "text/plain; charset=koi8-r" } }))).toEqual([
      "body",
    ]);
  });
});

describe("jobs stored before the checks", () => {
  const stored = { "X-Plain": "a", "x-plain": "b", "Content-Type": "text/plain; charset=shift_jis" };

  it("carry warnings in their details and list entries, and keep running as before", async () => {
    const id = (await jobs.create(job({ headers: {}, body: "plain" }))).body.data.id;
    await legacy(id, { headers: stored, secretHeaders: ["X-T", "x-t"] });
    const details = await jobs.details(id);
    expect(details.status).toBe(200);
    expect(details.body.data.warnings).toEqual([
      {
        field: "headers.X-Plain",
        message: expect.stringMatching(
          /^differs only in case from "x-plain" \(header names are case-insensitive\): all are sent as one header, their values joined with commas; a create or update sending this is refused \(keep one of them\)$/,
        ),
      },
      { field: "headers.x-plain", message: expect.stringContaining('from "X-Plain"') },
      { field: "secret_headers.0", message: expect.stringContaining('"X-T" differs only in case from "x-t"') },
      { field: "secret_headers.1", message: expect.stringContaining('"x-t" differs only in case from "X-T"') },
      {
        field: "headers.Content-Type",
        message: expect.stringMatching(/^declares charset=shift_jis, which .*: the body is sent as UTF-8;/),
      },
    ]);
    const listed = (await jobs.list()).body.data.find((j: { id: string }) => j.id === id);
    expect(listed.warnings).toEqual(details.body.data.warnings);
  });

  it("warn about a body the declared single-byte charset cannot carry", async () => {
    const id = (await jobs.create(job({ headers: latin1, body: "café" }))).body.data.id;
    await legacy(id, { body: "tick ✓" });
    expect((await jobs.details(id)).body.data.warnings).toEqual([
      {
        field: "body",
        message: expect.stringMatching(
          /^has "✓" \(U\+2713\) at character 6 that windows-1252 cannot encode .*: the body is sent as UTF-8;/,
        ),
      },
    ]);
  });

  it("can still be paused, echoed back whole, and updated in other fields", async () => {
    const id = (await jobs.create(job({ headers: {} }))).body.data.id;
    await legacy(id, { headers: stored });
    expect((await jobs.update(id, { is_active: false })).status).toBe(200);
    const current = (await jobs.details(id)).body.data;
    const echoed = await jobs.update(id, { ...current, name: "Renamed" });
    expect(echoed.status).toBe(200);
    expect(echoed.body.data).toMatchObject({ name: "Renamed", headers: stored });
    expect(echoed.body.data.warnings).toHaveLength(3);
    // Sending new headers that keep the problem is refused, and fixing it clears the warnings.
    const changed = await jobs.update(id, { headers: { ...stored, "X-New": "1" } });
    expect(fields(changed)).toEqual(["headers.X-Plain", "headers.x-plain", "headers.Content-Type"]);
    const fixed = await jobs.update(id, { headers: { "X-Plain": "a" } });
    expect(fixed.body.data.warnings).toEqual([]);
  });
});
