/**
 * Callbacks and alert webhooks follow redirects (README "Callbacks"): 307/308 re-POST the same body, up to 5 hops,
 * each hop through the target guard; 301/302/303 fail naming the Location; a hop to another origin carries neither
 * the signature nor any header meant for the first origin. Against the loopback target servers (two origins).
 */
import { beforeEach, describe, expect, inject, it } from "vitest";
import { consumeRun } from "../../src/engine/consume";
import { deliver, type RecordedDeliveryMessage } from "../../src/engine/deliver";
import type { EngineMessage } from "../../src/lib/messages";
import { postFollowingRedirects } from "../../src/lib/post-redirects";
import { signWithSecrets } from "../../src/lib/signature";
import { createAccount, type TestAccount } from "../helpers/accounts";
import { FAIL_500, queuedRun, scriptedExecutor, testDeps } from "../helpers/engine";
import { insertJob } from "../helpers/fixtures";
import { shardD1 } from "../helpers/shards";

const T = Date.UTC(2026, 5, 1, 12, 0, 0);
const FAR = Date.UTC(2099, 0, 1);
const base = `http://127.0.0.1:${inject("targetPort")}`;
const otherBase = `http://127.0.0.1:${inject("otherTargetPort")}`;
const redirect = (code: number, to: string) => `${base}/redirect?status=${code}&to=${encodeURIComponent(to)}`;

let acct: TestAccount;
beforeEach(async () => {
  acct = await createAccount("Redirects");
});

type Captured = Array<{ method: string; headers: Record<string, string>; body: string }>;
async function captured(key: string): Promise<Captured> {
  return (await (await fetch(`${base}/captured/${key}`)).json()) as Captured;
}

interface Row {
  state: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  payload: string;
}

/**
 * A failing run of a job whose callback (or webhook alert channel) is `url`, and its delivery's first attempt
 * through the real fetch; returns the attempt's result, the row after it and what was queued next.
 */
async function deliverTo(kind: "callback" | "alert", url: string) {
  const job = await insertJob(acct.accountId, {
    nextRunAt: FAR,
    maxRetries: 0,
    ...(kind === "callback"
      ? { failureCallbackUrl: url }
      : { alertPolicy: JSON.stringify({ channels: [{ type: "webhook", url }], after_consecutive_failures: 1 }) }),
  });
  const deps = testDeps({
    executor: scriptedExecutor(FAIL_500),
    fetch: (input, init) => fetch(input, init),
    now: () => T,
  });
  await consumeRun(deps, await queuedRun(job, T));
  const msg = deps.queue.take().find((m) => m.body.type === kind)?.body as RecordedDeliveryMessage;
  expect(msg?.deliveryId).toBeDefined();
  const result = await deliver(deps, msg);
  const row = (await shardD1()
    .prepare("SELECT state, attempts, last_status_code, last_error, payload FROM deliveries WHERE id = ?")
    .bind(msg.deliveryId)
    .first()) as Row;
  return { result, row, queued: deps.queue.take().map((m) => m.body as EngineMessage) };
}

async function signedBy(secret: string, header: string, body: string) {
  const t = Number(/t=(\d+)/.exec(header)?.[1]);
  return header === (await signWithSecrets([secret], body, t));
}

describe.each(["callback", "alert"] as const)("a %s", (kind) => {
  it.each([307, 308])("answered %i: the same signed POST goes to the Location on the same origin", async (code) => {
    const key = crypto.randomUUID();
    const { result, row } = await deliverTo(kind, redirect(code, `/capture/${key}`));
    expect(result).toBe("delivered");
    expect(row).toMatchObject({ state: "delivered", attempts: 1, last_status_code: 200, last_error: null });
    const [req, ...more] = await captured(key);
    expect(more).toEqual([]);
    expect(req?.method).toBe("POST");
    expect(req?.body).toBe(row.payload);
    expect(await signedBy(acct.signingSecret, req?.headers["x-edgecron-signature"] ?? "", row.payload)).toBe(true);
  });

  it.each([301, 302, 303])("answered %i: failed at once, naming the Location, never sent as a GET", async (code) => {
    const key = crypto.randomUUID();
    const { result, row, queued } = await deliverTo(kind, redirect(code, `/capture/${key}`));
    expect(result).toBe("failed");
    expect(queued).toEqual([]); // no retry: the same answer would come again
    expect(row).toMatchObject({ state: "failed", attempts: 1, last_status_code: code });
    expect(row.last_error).toContain(`HTTP ${code} redirect to /capture/${key} not followed`);
    expect(await captured(key)).toEqual([]);
  });

  it("follows 5 redirects; a sixth, or a loop, fails the delivery", async () => {
    // /redirect-chain/{n} answers n + 1 redirects.
    const five = await deliverTo(kind, `${base}/redirect-chain/4?status=308`);
    expect(five.row).toMatchObject({ state: "delivered", last_status_code: 200 });
    for (const n of [5, 1000]) {
      const loop = await deliverTo(kind, `${base}/redirect-chain/${n}?status=307`);
      expect(loop.result).toBe("failed");
      expect(loop.queued).toEqual([]);
      expect(loop.row).toMatchObject({ state: "failed", last_status_code: 307, last_error: "More than 5 redirects" });
    }
  });

  it("a hop to a private address is refused with the reason, and nothing is sent there", async () => {
    const { result, row } = await deliverTo(kind, redirect(307, "http://169.254.169.254/latest/meta-data"));
    expect(result).toBe("refused");
    expect(row).toMatchObject({ state: "refused", attempts: 1, last_status_code: 307 });
    expect(row.last_error).toMatch(
      /^Redirect to http:\/\/169\.254\.169\.254\/latest\/meta-data: Refused target: 169\.254\.169\.254 is a /,
    );
  });

  it("a hop to another origin gets the body but not the signature", async () => {
    const key = crypto.randomUUID();
    const { result, row } = await deliverTo(kind, redirect(308, `${otherBase}/capture/${key}`));
    expect(result).toBe("delivered");
    const [req] = await captured(key);
    expect(req?.headers.host).toBe(otherBase.replace("http://", ""));
    expect(req?.body).toBe(row.payload);
    expect(req?.headers["x-edgecron-signature"]).toBeUndefined();
    expect(req?.headers["content-type"]).toBe("application/json");
  });
});

describe("postFollowingRedirects", () => {
  it("never gives the origin's headers back once the chain has left it, even on a hop home", async () => {
    const key = crypto.randomUUID();
    const home = `${base}/capture/${key}`;
    const away = `${otherBase}/redirect?status=307&to=${encodeURIComponent(home)}`;
    const res = await postFollowingRedirects(fetch, new URL(redirect(307, away)), {
      body: "{}",
      headers: { "Content-Type": "application/json" },
      originHeaders: { "X-Configured": "for the first origin only" },
      signal: AbortSignal.timeout(5000),
      allowLoopback: true,
    });
    expect(res).toEqual({ kind: "response", status: 200, url: home });
    const [req] = await captured(key);
    expect(req?.headers["x-configured"]).toBeUndefined();
  });

  it("reports a refused connection as an error (retried), not a failure", async () => {
    const res = await postFollowingRedirects(fetch, new URL(`http://127.0.0.1:${inject("closedPort")}/x`), {
      body: "{}",
      headers: {},
      originHeaders: {},
      signal: AbortSignal.timeout(5000),
      allowLoopback: true,
    });
    expect(res.kind).toBe("error");
  });
});
