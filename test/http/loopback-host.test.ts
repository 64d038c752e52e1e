/**
 * While ALLOW_PRIVATE_TARGETS is on (npm start; the tests' default), only requests to a loopback Host are answered,
 * so a DNS-rebinding page cannot drive a developer's local API; with the flag off the Host is not checked.
 */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { isLoopbackHost } from "../../src/http/loopback-host";
import { createAccount } from "../helpers/accounts";
import { expectProblem } from "../helpers/http";
import { callWith } from "./app-env";

async function withHost(host: string, path = "/health", init: RequestInit = {}) {
  const res = await SELF.fetch(`http://localhost${path}`, { ...init, headers: { ...init.headers, Host: host } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

describe("the Host check while ALLOW_PRIVATE_TARGETS is on", () => {
  it.each(["localhost", "localhost:8787", "127.0.0.1", "127.0.0.1:8787", "127.3.2.1:1", "[::1]", "[::1]:8787"])(
    "answers Host %s",
    async (host) => {
      expect((await withHost(host)).status).toBe(200);
    },
  );

  it.each([
    "evil.example",
    "evil.example:8787",
    "localhost.evil.example",
    "127.0.0.1.nip.io",
    "api.localhost",
    "10.0.0.1:8787",
    "169.254.169.254",
    "[fe80::1]",
    "localhost@evil.example",
    "0.0.0.0:8787",
  ])("refuses Host %s with a 421 problem", async (host) => {
    const res = await withHost(host);
    const body = expectProblem(res, 421);
    expect(body.detail).toContain("ALLOW_PRIVATE_TARGETS");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
  });

  it("refuses an API call with valid keys before it does anything", async () => {
    const acct = await createAccount();
    const res = await withHost("evil.example:8787", `/v1/cron-jobs/${acct.accountId}/list`, {
      headers: acct.headers,
    });
    expectProblem(res, 421);
    const ok = await withHost("localhost:8787", `/v1/cron-jobs/${acct.accountId}/list`, { headers: acct.headers });
    expect(ok.status).toBe(200);
  });

  it("isLoopbackHost reads only a bare authority", () => {
    expect(isLoopbackHost("LOCALHOST:80")).toBe(true);
    expect(isLoopbackHost("localhost/evil")).toBe(false);
    expect(isLoopbackHost("localhost:99999999")).toBe(false);
    expect(isLoopbackHost("")).toBe(false);
  });
});

describe("with ALLOW_PRIVATE_TARGETS off (production)", () => {
  it("does not check the Host", async () => {
    const evil = { headers: { Host: "evil.example" } };
    expect((await callWith({ ALLOW_PRIVATE_TARGETS: "true" } as Partial<Env>, "/health", evil)).status).toBe(421);
    expect((await callWith({ ALLOW_PRIVATE_TARGETS: "false" } as Partial<Env>, "/health", evil)).status).toBe(200);
  });
});
