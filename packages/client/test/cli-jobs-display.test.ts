/** How `jobs ls` and `jobs get` print several schedules and a pause's end and reason (stand-in API, no Worker). */
import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { EXIT } from "../src/cli/exit-codes.js";
import { runCli as run } from "./support/run-cli.js";
import { standInApi } from "./support/stand-in.js";

const ACCOUNT = "00000000-0000-4000-8000-0000000000cc";

function job(id: string, fields: Record<string, unknown>) {
  return {
    id,
    name: id,
    endpoint_url: "https://example.com/hook",
    method: "GET",
    schedule: "0 9 * * *",
    schedules: ["0 9 * * *"],
    timezone: "Europe/Berlin",
    state: "active",
    is_active: true,
    paused_until: null,
    pause_reason: null,
    disabled_at: null,
    disabled_reason: null,
    next_run_at: "2026-12-08T08:00:00Z",
    next_runs: ["2026-12-08T08:00:00Z"],
    last_run_at: null,
    last_run_status: null,
    total_executions: 0,
    successful_executions: 0,
    failed_executions: 0,
    max_retries: 0,
    retry_delay_seconds: 60,
    timeout_seconds: 30,
    catchup: "latest",
    max_lateness_seconds: null,
    tags: [],
    created_at: "2026-12-01T00:00:00Z",
    ...fields,
  };
}

const JOBS = {
  twice: job("twice", {
    schedules: ["0 9 * * *", "30 17 * * *"],
    next_run_at: "2026-12-07T16:30:00Z",
    next_runs: ["2026-12-07T16:30:00Z", "2026-12-08T08:00:00Z", "2026-12-08T16:30:00Z"],
  }),
  many: job("many", { schedules: ["0 9 * * *", "30 17 * * *", "0 12 * * 1", "0 0 1 * *"] }),
  holiday: job("holiday", {
    state: "paused",
    is_active: false,
    paused_until: "2026-12-24T00:00:00Z",
    pause_reason: "Holidays",
    next_run_at: null,
    next_runs: [],
  }),
  held: job("held", { state: "paused", is_active: false, next_run_at: null, next_runs: [] }),
  broken: job("broken", {
    state: "disabled",
    disabled_at: "2026-12-06T10:00:00Z",
    disabled_reason: "Disabled after 5 consecutive failed runs (alerts.auto_disable_after)",
  }),
};

describe("jobs ls and jobs get: schedules and pauses", () => {
  const { env } = standInApi(ACCOUNT, (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://x").pathname.replace(`/v1/cron-jobs/${ACCOUNT}`, "");
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (path === "/list") {
      const data = Object.values(JOBS);
      return send(200, { data, pagination: { page: 1, limit: 100, total_items: data.length, total_pages: 1 } });
    }
    const one = /^\/details\/(.+)$/.exec(path);
    const found = one ? JOBS[one[1] as keyof typeof JOBS] : undefined;
    if (found) return send(200, { data: found });
    send(404, { title: "Not Found", status: 404, detail: `No route for ${path}` });
  });

  /** The `jobs ls` row of one job, its cells split on the table's two-space gaps. */
  async function lsRow(id: string): Promise<string[]> {
    const r = await run(["jobs", "ls"], env());
    expect(r.code, r.err).toBe(EXIT.ok);
    const line = r.out.split("\n").find((l) => l.startsWith(`${id} `));
    return (line ?? "").split(/ {2,}/);
  }

  /** The value of one `jobs get` row. */
  async function getRow(id: string, key: string): Promise<string | undefined> {
    const r = await run(["jobs", "get", id], env());
    expect(r.code, r.err).toBe(EXIT.ok);
    const line = r.out.split("\n").find((l) => l.startsWith(`${key} `));
    return line?.slice(key.length).trim();
  }

  it("ls shows every schedule of a job with two, and the timezone once", async () => {
    expect(await lsRow("twice")).toEqual([
      "twice",
      "twice",
      "0 9 * * *, 30 17 * * *",
      "Europe/Berlin",
      "active",
      "2026-12-07T16:30:00Z",
      "-",
    ]);
  });

  it("ls keeps the schedule column narrow: two schedules, then how many more", async () => {
    expect((await lsRow("many"))[2]).toBe("0 9 * * *, 30 17 * * * +2 more");
    expect((await lsRow("held"))[2]).toBe("0 9 * * *");
  });

  it("get shows every schedule with the timezone once", async () => {
    expect(await getRow("twice", "schedule")).toBe("0 9 * * *, 30 17 * * * (Europe/Berlin)");
    expect(await getRow("many", "schedule")).toBe("0 9 * * *, 30 17 * * *, 0 12 * * 1, 0 0 1 * * (Europe/Berlin)");
  });

  it("ls shows until when a job is paused; get adds the reason", async () => {
    expect((await lsRow("holiday"))[4]).toBe("paused until 2026-12-24T00:00:00Z");
    expect(await getRow("holiday", "state")).toBe("paused until 2026-12-24T00:00:00Z (Holidays)");
  });

  it("a job paused with no end says so", async () => {
    expect((await lsRow("held"))[4]).toBe("paused");
    expect(await getRow("held", "state")).toBe("paused until resumed");
  });

  it("get says since when and why a job was disabled", async () => {
    expect((await lsRow("broken"))[4]).toBe("disabled");
    expect(await getRow("broken", "state")).toBe(
      "disabled since 2026-12-06T10:00:00Z (Disabled after 5 consecutive failed runs (alerts.auto_disable_after))",
    );
  });

  it("--json prints the API's objects unchanged", async () => {
    const ls = await run(["jobs", "ls", "--json"], env());
    expect(JSON.parse(ls.out)).toEqual(Object.values(JOBS));
    const get = await run(["jobs", "get", "holiday", "--json"], env());
    expect(JSON.parse(get.out)).toEqual(JOBS.holiday);
  });
});
