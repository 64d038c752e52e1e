import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { EXIT } from "../src/cli/exit-codes.js";
import { parseUntil } from "../src/cli/main.js";
import { runCli as run } from "./support/run-cli.js";
import { standInApi } from "./support/stand-in.js";

const ACCOUNT = "00000000-0000-4000-8000-0000000000bb";

describe("edgecron pause --until", () => {
  const patches: unknown[] = [];
  const { env } = standInApi(ACCOUNT, (req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      const patch = JSON.parse(body || "{}") as Record<string, unknown>;
      patches.push({ method: req.method, path: req.url, body: patch });
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(
        JSON.stringify({
          data: {
            id: "j1",
            name: "Nightly",
            is_active: false,
            state: "paused",
            paused_until: patch.paused_until ?? null,
            pause_reason: patch.pause_reason ?? null,
          },
        }),
      );
    });
  });

  it("sends paused_until and pause_reason with is_active: false, and says until when", async () => {
    const r = await run(["pause", "j1", "--until", "2026-12-24T00:00:00Z", "--reason", "Holidays"], env());
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(patches.at(-1)).toEqual({
      method: "PATCH",
      path: `/v1/cron-jobs/${ACCOUNT}/update/j1`,
      body: { is_active: false, paused_until: "2026-12-24T00:00:00Z", pause_reason: "Holidays" },
    });
    expect(r.out).toContain("Paused Nightly (j1) until 2026-12-24T00:00:00Z");
  });

  it("jobs pause without --until pauses with no end", async () => {
    const r = await run(["jobs", "pause", "j1"], env());
    expect(r.code, r.err).toBe(EXIT.ok);
    expect((patches.at(-1) as { body: unknown }).body).toEqual({ is_active: false });
  });

  it("refuses an --until that is neither an instant nor a duration", async () => {
    const r = await run(["pause", "j1", "--until", "2026-12-24"], env());
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain("--until must be an ISO 8601 date-time");
  });

  it("takes a duration ahead of now", () => {
    expect(parseUntil("2h", Date.UTC(2026, 11, 7, 10))).toBe("2026-12-07T12:00:00Z");
  });
});
