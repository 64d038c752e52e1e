/** CALLBACKS=record (what `npm start` sets under the mock executor): a callback is logged, never sent. */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { config } from "../../src/config";
import { createDb } from "../../src/db/client";
import { deliverCallback } from "../../src/engine/callbacks";
import type { EngineDeps } from "../../src/engine/deps";
import { createMockExecutor } from "../../src/engine/executors/mock";
import type { CallbackMessage } from "../../src/lib/messages";
import { createAccount } from "../helpers/accounts";
import { shardD1 } from "../helpers/shards";

function deps(callbacks: "send" | "record", fetch: typeof globalThis.fetch): EngineDeps {
  return {
    db: createDb(shardD1()),
    cfg: { ...config(env), CALLBACKS: callbacks },
    queue: { sendBatch: async () => undefined },
    executor: createMockExecutor(),
    fetch,
    now: () => Date.now(),
  };
}

describe("CALLBACKS", () => {
  it("defaults to send (production), and the tests' miniflare bindings run the mock executor", () => {
    expect(config({}).CALLBACKS).toBe("send");
    expect(config({}).EXECUTOR).toBe("http");
    expect(config(env).EXECUTOR).toBe("mock");
  });

  it("record: logs the delivery and makes no request", async () => {
    const acct = await createAccount();
    const fetch = vi.fn(async () => new Response("ok"));
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const msg: CallbackMessage = {
      type: "callback",
      accountId: acct.accountId,
      url: "https://hooks.example.com/fail",
      body: JSON.stringify({ cron_job_id: "x", status: "failure" }),
      attempt: 0,
    };
    try {
      expect(await deliverCallback(deps("record", fetch), msg)).toBe("recorded");
      expect(fetch).not.toHaveBeenCalled();
      const lines = log.mock.calls.map(([line]) => JSON.parse(String(line)));
      expect(lines).toContainEqual({ event: "callback_recorded", url: msg.url, body: msg.body });
    } finally {
      log.mockRestore();
    }
    expect(await deliverCallback(deps("send", fetch), msg)).toBe("delivered");
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});
