/**
 * Absolute links name the configured PUBLIC_ORIGIN, never the request's Host (which the caller chooses): the
 * confirmation e-mail's link and the OpenAPI document's servers.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { OutgoingEmail } from "../../src/alerts/mailer";
import { createApp } from "../../src/app";
import { config } from "../../src/config";
import { createAccount } from "../helpers/accounts";

const PUBLIC_ORIGIN = "https://cron.example.com";

/** A request to `http://evil.example…` with `Host: evil.example`, as wrangler dev or a proxy would pass it on. */
async function fromEvilHost(path: string, init: RequestInit, overrides: Partial<Env>) {
  const ctx = createExecutionContext();
  const headers = new Headers(init.headers);
  headers.set("Host", "evil.example");
  const vars = { PUBLIC_ORIGIN, ALLOW_PRIVATE_TARGETS: "false", ...overrides };
  const res = await createApp().fetch(
    new Request(`http://evil.example${path}`, { ...init, headers }),
    { ...env, ...vars } as Env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

describe("PUBLIC_ORIGIN", () => {
  it("the confirmation e-mail links to PUBLIC_ORIGIN whatever Host the request named", async () => {
    const acct = await createAccount();
    const sent: OutgoingEmail[] = [];
    const EMAIL = { send: async (m: OutgoingEmail) => sent.push(m) } as unknown as SendEmail;
    const res = await fromEvilHost(
      `/v1/cron-jobs/${acct.accountId}/alert-recipients`,
      {
        method: "POST",
        headers: { ...acct.headers, "Content-Type": "application/json" },
        body: JSON.stringify({ email: "oncall@example.com" }),
      },
      { EMAIL },
    );
    expect(res.status).toBe(202);
    expect(sent).toHaveLength(1);
    const text = sent[0]?.text ?? "";
    expect(text).toContain(`${PUBLIC_ORIGIN}/alerts/${acct.accountId}/confirm?token=`);
    expect(text).not.toContain("evil.example");
  });

  it("the OpenAPI document's servers name PUBLIC_ORIGIN whatever Host the request named", async () => {
    const res = await fromEvilHost("/openapi.json", {}, {});
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { servers: Array<{ url: string }> };
    expect(doc.servers.map((s) => s.url)).toEqual([PUBLIC_ORIGIN]);
  });

  it("defaults to http://localhost:8787 (wrangler dev) and must be an http(s) origin", () => {
    expect(config({}).PUBLIC_ORIGIN).toBe("http://localhost:8787");
    expect(config({ PUBLIC_ORIGIN: "https://cron.example.com:8443" }).PUBLIC_ORIGIN).toBe(
      "https://cron.example.com:8443",
    );
    for (const bad of [
      "cron.example.com",
      "https://cron.example.com/",
      "https://cron.example.com/x",
      "ftp://a.example",
    ]) {
      expect(() => config({ PUBLIC_ORIGIN: bad }), bad).toThrow();
    }
  });
});
