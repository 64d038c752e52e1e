import { beforeAll, describe, expect, it } from "vitest";
import { bodyIssues, hiddenCharacterAt, illFormedAt } from "../../src/http/well-formed";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { expectProblem } from "../helpers/http";
import { jobsApi, quickStart } from "../helpers/jobs";

describe("bodyIssues (issue 15, items 9 and 10)", () => {
  it("finds lone surrogates in values and keys, and __proto__ keys, naming each path", () => {
    const body = JSON.parse('{"a":["ok","x\\ud800"],"b":{"\\udc00k":1,"__proto__":{"c":"\\ud83d"}},"e":"😀"}');
    expect(bodyIssues(body).map((i) => i.field)).toEqual(["a.1", "b", "b.__proto__"]);
  });

  it("is well-formed for surrogate pairs and plain text", () => {
    expect(illFormedAt("😀 café")).toBe(-1);
    expect(illFormedAt("a\ud83d")).toBe(1);
    expect(illFormedAt("\ude00b")).toBe(0);
    expect(bodyIssues({ a: ["😀"], __proto_: 1 })).toEqual([]);
  });

  it("walks a body nested 100,000 levels deep without overflowing the stack", () => {
    const deep = JSON.parse(`${"[".repeat(100_000)}"\\ud800"${"]".repeat(100_000)}`);
    const issues = bodyIssues(deep);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.field.split(".")).toHaveLength(100_000);
  });
});

describe("hiddenCharacterAt: bidi, invisible format and control characters", () => {
  it("finds each family, naming the code point and its position", () => {
    const hidden = [
      ...["\u202a", "\u202b", "\u202c", "\u202d", "\u202e"], // bidi embeddings and overrides
      ...["\u2066", "\u2067", "\u2068", "\u2069"], // bidi isolates
      ...["\u200e", "\u200f", "\u061c"], // bidi marks
      ...["\u200b", "\u200c", "\u200d", "\u2060", "\u2061", "\u2062", "\u2063", "\u2064", "\ufeff", "\u00ad"],
      ...["\u{e0041}", "\u001b", "\u0007", "\u007f", "\u0085"], // tag characters; C0/C1 controls (ESC drives terminals)
    ];
    for (const c of hidden) {
      const cp = `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
      expect(hiddenCharacterAt(`ab${c}c`), cp).toEqual({ at: 2, codePoint: cp });
    }
  });

  it("leaves visible text alone: accents, right-to-left scripts, emoji (with variation selectors), spaces", () => {
    for (const s of ["café", "שלום עולם", "مرحبا", "Report 😀", "❤️", "a b", "日本語", "x".repeat(200)]) {
      expect(hiddenCharacterAt(s), s).toBeNull();
    }
  });
});

describe("hidden characters in names, tags, header names and e-mail addresses → 400 naming the field", () => {
  let acct: TestAccount;
  let jobs: ReturnType<typeof jobsApi>;
  let jobId: string;
  beforeAll(async () => {
    acct = await createAccount("Hidden characters");
    jobs = jobsApi(acct);
    const created = await jobs.create({ ...quickStart(), headers: { "X-Plain": "1" } });
    expect(created.status).toBe(201);
    jobId = created.body.data.id;
  });

  type Errors = Array<{ field: string; message: string }>;
  const issue = (res: Awaited<ReturnType<typeof jobs.send>>, field: string) => {
    const body = expectProblem(res, 400);
    const errors = body.errors as Errors;
    expect(errors.map((e) => e.field)).toEqual([field]);
    return errors[0]?.message ?? "";
  };

  const chars: Array<[label: string, c: string, cp: string]> = [
    ["right-to-left override", "\u202e", "U+202E"],
    ["zero-width space", "\u200b", "U+200B"],
  ];
  /** Each field, as create and update send it, with `c` hidden in it. */
  const fields: Array<[field: (c: string) => string, body: (c: string) => Record<string, unknown>]> = [
    [() => "name", (c) => ({ name: `Invoice${c}gpj.exe` })],
    [() => "tags.1", (c) => ({ tags: ["ok", `re${c}ports`] })],
    [(c) => `headers.X-Trace${c}`, (c) => ({ headers: { [`X-Trace${c}`]: "1" } })],
    [() => "alerts.channels.0.to", (c) => ({ alerts: { channels: [{ type: "email", to: `ops${c}@example.com` }] } })],
  ];

  for (const [label, c, cp] of chars) {
    for (const [field, body] of fields) {
      it(`${label} in ${field("")}: create and update`, async () => {
        const message = issue(await jobs.create({ ...quickStart(), ...body(c) }), field(c));
        expect(message).toContain(cp);
        expect(issue(await jobs.update(jobId, body(c)), field(c))).toContain(cp);
      });
    }

    it(`${label} in an API key name and an alert recipient`, async () => {
      const key = await jobs.send("POST", "/keys", { name: `ci${c}deploy` });
      expect(issue(key, "name")).toContain(cp);
      const recipient = await jobs.send("POST", "/alert-recipients", { email: `ops${c}@example.com` });
      expect(issue(recipient, "email")).toContain(cp);
    });
  }

  it("the message says what is wrong and where", async () => {
    const res = await jobs.create({ ...quickStart(), name: "abc\u202edef" });
    expect(issue(res, "name")).toBe(
      "contains U+202E at position 3, an invisible, bidirectional or control character: it would display differently from what is stored",
    );
  });

  it("visible text in those fields is still accepted, right-to-left scripts and emoji included", async () => {
    const res = await jobs.create({ ...quickStart(), name: "דוח יומי 😀", tags: ["مرحبا", "❤️"] });
    expect(res.status).toBe(201);
    expect(res.body.data.name).toBe("דוח יומי 😀");
    expect((await jobs.send("POST", "/keys", { name: "מפתח" })).status).toBe(201);
  });

  it("nothing was stored by a refused request", async () => {
    const details = await jobs.details(jobId);
    expect(details.body.data.name).toBe(quickStart().name);
    expect(details.body.data.headers).toEqual({ "X-Plain": "1" });
    expect(JSON.stringify(details.body.data)).not.toMatch(/[\u200b\u202e]/u);
  });
});
