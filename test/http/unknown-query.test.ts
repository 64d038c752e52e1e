/**
 * Every documented customer API operation refuses a query parameter it does not take: a 400 naming it, as the
 * logs endpoints always did, never silently ignored. Pings (outside /v1/cron-jobs) stay lenient by design.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { api, expectProblem } from "../helpers/http";

const PREFIX = "/v1/cron-jobs/{accountId}/";
const METHODS = ["get", "post", "put", "patch", "delete"];

/** A syntactically valid value for each path parameter: the query is validated before the path and the lookup. */
const pathValue = (name: string, acct: TestAccount) =>
  name === "accountId" ? acct.accountId : name === "email" ? "nobody@example.com" : crypto.randomUUID();

describe("unknown query parameters on /v1/cron-jobs/{accountId}/…", () => {
  let acct: TestAccount;
  let ops: Array<{ method: string; path: string; hasBody: boolean }>;
  beforeAll(async () => {
    acct = await createAccount("Unknown query");
    type Op = { requestBody?: { content: Record<string, unknown> } };
    const doc = (await api("/openapi.json")).body as { paths: Record<string, Record<string, Op>> };
    ops = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith(PREFIX))
      .flatMap(([path, item]) =>
        Object.entries(item)
          .filter(([m]) => METHODS.includes(m))
          .map(([method, op]) => ({ method, path, hasBody: op.requestBody !== undefined })),
      );
  });

  it("answers 400 naming `edgecron_bogus` on every documented operation", async () => {
    expect(ops.length).toBeGreaterThanOrEqual(50);
    const wrong: string[] = [];
    for (const { method, path, hasBody } of ops) {
      const url = path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(pathValue(name, acct)));
      const res = await api(`${url}?edgecron_bogus=1`, {
        method: method.toUpperCase(),
        // Any JSON body: an empty one is refused (src/http/empty-body.ts) before the query is read.
        ...(hasBody
          ? { headers: { ...acct.headers, "Content-Type": "application/json" }, body: "{}" }
          : { headers: acct.headers }),
      });
      const named = (res.body?.errors ?? []).some(
        (e: { field: string; in: string }) => e.field === "edgecron_bogus" && e.in === "query",
      );
      if (res.status !== 400 || !named)
        wrong.push(`${method.toUpperCase()} ${path}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      else expectProblem(res, 400, "Invalid query parameter 'edgecron_bogus': Unknown field");
    }
    expect(wrong).toEqual([]);
  });

  it("still takes the parameters a route declares beside an unknown one, naming only the unknown one", async () => {
    const res = await api(`/v1/cron-jobs/${acct.accountId}/list?limit=5&edgecron_bogus=1`, { headers: acct.headers });
    const body = expectProblem(res, 400, "Invalid query parameter 'edgecron_bogus': Unknown field");
    expect(body.errors).toEqual([{ field: "edgecron_bogus", in: "query", message: "Unknown field" }]);
    expect((await api(`/v1/cron-jobs/${acct.accountId}/list?limit=5`, { headers: acct.headers })).status).toBe(200);
  });

  it("leaves pings lenient: cron scripts append their own parameters", async () => {
    const res = await api(`/ping/${crypto.randomUUID()}/start?edgecron_bogus=1`);
    expect(res.status).toBe(404);
  });
});
