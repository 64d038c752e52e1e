/**
 * The isolate's heap over `wrangler dev --inspector-port`; the live heap after the full GC HeapProfiler.takeHeapSnapshot
 * performs (workerd does not answer collectGarbage). wrangler's proxy wants an Origin header.
 */
import { sleep } from "./harness";

export type Inspector = Awaited<ReturnType<typeof connectInspector>>;

export async function connectInspector(port: number, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let url: string | undefined;
  while (!url) {
    const targets = await fetch(`http://127.0.0.1:${port}/json`).then(
      (r) => r.json(),
      () => [],
    );
    url = (targets as Array<{ webSocketDebuggerUrl?: string }>).find(
      (t) => t.webSocketDebuggerUrl,
    )?.webSocketDebuggerUrl;
    if (!url && Date.now() > deadline) throw new Error(`no inspector target on port ${port}`);
    if (!url) await sleep(250);
  }
  // undici's WebSocket takes headers in its init object (not in the DOM typings).
  const ws = new WebSocket(url, { headers: { Origin: `http://127.0.0.1:${port}` } } as unknown as string[]);
  await new Promise((res, rej) => {
    ws.addEventListener("open", res, { once: true });
    ws.addEventListener("error", () => rej(new Error(`inspector websocket ${url} failed`)), { once: true });
  });
  let nextId = 1;
  const pending = new Map<number, (msg: { result?: unknown; error?: { message: string } }) => void>();
  ws.addEventListener("message", (ev) => {
    const msg = JSON.parse(String(ev.data)) as { id?: number; result?: unknown; error?: { message: string } };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg);
    pending.delete(msg.id ?? -1);
  });
  const call = (method: string, params = {}) =>
    new Promise<{ usedSize: number }>((res, rej) => {
      const id = nextId++;
      pending.set(id, (m) => (m.error ? rej(new Error(m.error.message)) : res(m.result as { usedSize: number })));
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    /** Used heap bytes, garbage included. */
    heap: async () => (await call("Runtime.getHeapUsage")).usedSize,
    /** Used heap bytes right after a full GC: what the isolate really holds. */
    liveHeap: async () => {
      await call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
      return (await call("Runtime.getHeapUsage")).usedSize;
    },
    close: () => ws.close(),
  };
}
