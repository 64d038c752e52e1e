import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { createDb } from "../../src/db/client";
import { monitorConfigs } from "../../src/monitors/ping";
import { pingRoutes } from "../../src/monitors/ping-key";
import { sweep } from "../../src/retention/sweep";
import { shardBinding } from "../../src/shards/bindings";
import { directoryCache } from "../../src/shards/directory";
import { moveAccount } from "../../src/shards/move";
import { createAccount } from "../helpers/accounts";
import { moveDeps } from "../helpers/shards";
import { createMonitor, listPings, monitorsApi, ping, pingAt, pingPath } from "./support";

const DAY = 86_400_000;

const pingsOf = async (shard: number, monitorId: string) =>
  (
    await shardBinding(env, shard)
      .prepare(
        `SELECT p.at, p.kind, p.method, p.exit_status, p.rid, p.duration_ms, hex(p.body) AS body
         FROM monitor_pings p JOIN monitors m ON m.num = p.monitor WHERE m.id = ? ORDER BY p.id`,
      )
      .bind(monitorId)
      .all()
  ).results;

describe("an account move", () => {
  it("copies monitors and their pings (bodies, pairs) to the new shard, resuming a partial copy, and removes them", async () => {
    const acct = await createAccount("Mover", { shard: 0 });
    const a = await createMonitor(acct, {
      name: "a",
      alerts: {
        channels: [{ type: "slack", url: `http://127.0.0.1:${inject("targetPort")}/capture/${crypto.randomUUID()}` }],
      },
    });
    const b = await createMonitor(acct, { name: "b", cron: "0 * * * *", timezone: "Europe/Paris" });
    const rid = crypto.randomUUID();
    await ping(`${pingPath(a)}/start?rid=${rid}`);
    await ping(`${pingPath(a)}?rid=${rid}`, { method: "POST", body: "backup done: 12 files" });
    await ping(`${pingPath(a)}/3`);
    await ping(`${pingPath(b)}/log`, { method: "POST", body: "x".repeat(2000) });
    await ping(pingPath(b), { method: "HEAD" });
    const before = { a: await pingsOf(0, a.id), b: await pingsOf(0, b.id) };
    expect(before.a).toHaveLength(3);

    // A copy an earlier run left half done: b and its first ping are on the target already.
    const target = shardBinding(env, 1);
    const [row] = (await shardBinding(env, 0).prepare("SELECT * FROM monitors WHERE id = ?").bind(b.id).all()).results;
    const cols = Object.keys(row as object).filter((c) => c !== "num");
    await target
      .prepare(`INSERT INTO accounts (id, name, signing_secret, created_at) SELECT ?, 'Mover', 's', 0`)
      .bind(acct.accountId)
      .run();
    await target
      .prepare(`INSERT INTO monitors (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`)
      .bind(...cols.map((c) => (row as Record<string, unknown>)[c] ?? null))
      .run();
    await target
      .prepare(
        "INSERT INTO monitor_pings (monitor, at, kind, method, body) SELECT num, ?, 3, 1, unhex(?) FROM monitors WHERE id = ?",
      )
      .bind(before.b[0]?.at, before.b[0]?.body, b.id)
      .run();

    await moveAccount(moveDeps({ chunk: 2 }), acct.accountId, 1);
    expect({ a: await pingsOf(1, a.id), b: await pingsOf(1, b.id) }).toEqual(before);
    expect(await pingsOf(0, a.id)).toEqual([]);
    const left = await shardBinding(env, 0)
      .prepare("SELECT count(*) AS n FROM monitors WHERE account_id = ?")
      .bind(acct.accountId)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);

    // On the new shard, by slug and by UUID, with its alerts' secrets readable there.
    directoryCache.clear();
    pingRoutes.clear();
    monitorConfigs.clear();
    expect((await ping(pingPath(a))).status).toBe(200);
    expect((await ping(`/ping/${b.id}`)).status).toBe(200);
    expect((await listPings(acct, a.id)).data).toHaveLength(4);
    const moved = await monitorsApi(acct, `/${a.id}`);
    expect(moved.body.data).toMatchObject({ state: "up", alerts: { channels: [{ type: "slack" }] } });
    expect(
      (
        await monitorsApi(acct, `/${a.id}`, {
          method: "PATCH",
          body: { alerts: { channels: moved.body.data.alerts.channels } },
        })
      ).status,
    ).toBe(200);
  });
});

describe("the retention sweep", () => {
  it("removes pings past the retention, then monitors deleted before it once their pings are gone", async () => {
    const acct = await createAccount("Sweeper", { shard: 0 });
    const keep = await createMonitor(acct, { name: "keep" });
    const gone = await createMonitor(acct, { name: "gone" });
    const now = Date.now();
    for (const at of [now - 40 * DAY, now - 35 * DAY, now - 2 * DAY]) {
      await pingAt(acct, keep, at);
      await pingAt(acct, gone, at);
    }
    await monitorsApi(acct, `/${gone.id}`, { method: "DELETE" });
    const db = createDb(shardBinding(env, 0));
    const shard0 = shardBinding(env, 0);

    const first = await sweep(db, { retentionDays: 30, now, chunk: 1 });
    expect(first).toMatchObject({ complete: true, monitor_pings_deleted: 4, monitors_purged: 0 });
    expect((await listPings(acct, keep.id)).data.map((p) => Date.parse(p.received_at))).toEqual([
      Math.floor((now - 2 * DAY) / 1000) * 1000,
    ]);
    // The deleted monitor still has a recent ping: its row stays until that one expires.
    const count = () =>
      shard0.prepare("SELECT count(*) AS n FROM monitors WHERE id = ?").bind(gone.id).first<{ n: number }>();
    expect((await count())?.n).toBe(1);

    const later = await sweep(db, { retentionDays: 30, now: now + 32 * DAY, chunk: 2 });
    expect(later).toMatchObject({ monitor_pings_deleted: 2, monitors_purged: 1 });
    expect((await count())?.n).toBe(0);
    expect((await monitorsApi(acct, `/${keep.id}`)).status).toBe(200);
  });
});
