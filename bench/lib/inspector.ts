/**
 * The Worker's own JS heap, read through the DevTools protocol that `wrangler dev --inspector-port` exposes for
 * the user Worker's isolate: `Runtime.getHeapUsage` (used / total bytes), and the live heap — what is left after
 * a full garbage collection, which `HeapProfiler.takeHeapSnapshot` performs before it serialises the heap
 * (workerd does not answer `HeapProfiler.collectGarbage`; the snapshot's own chunks are discarded). Node 22's
 * global WebSocket is enough; wrangler's inspector proxy refuses a connection without an `Origin` header.
 */
export interface HeapUsage {
  usedSize: number;
  totalSize: number;
}

export interface Inspector {
  heap(): Promise<HeapUsage>;
  /** The heap right after a full GC (a heap snapshot, thrown away): what the isolate really holds. */
  liveHeap(): Promise<HeapUsage>;
  close(): void;
}

export async function connectInspector(port: number, timeoutMs = 30_000): Promise<Inspector> {
  const deadline = Date.now() + timeoutMs;
  let url: string | undefined;
  while (!url) {
    try {
      const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as Array<{
        webSocketDebuggerUrl?: string;
      }>;
      url = targets.find((t) => t.webSocketDebuggerUrl)?.webSocketDebuggerUrl;
    } catch {
      // not listening yet
    }
    if (!url) {
      if (Date.now() > deadline) throw new Error(`no inspector target on port ${port}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  // undici's WebSocket takes headers in its init object (not in the DOM typings).
  const ws = new WebSocket(url, { headers: { Origin: `http://127.0.0.1:${port}` } } as unknown as string[]);
  await new Promise<void>((res, rej) => {
    ws.addEventListener("open", () => res(), { once: true });
    ws.addEventListener("error", () => rej(new Error(`inspector websocket ${url} failed`)), { once: true });
  });
  let nextId = 1;
  const pending = new Map<number, { res: (v: unknown) => void; rej: (e: Error) => void }>();
  ws.addEventListener("message", (ev) => {
    const msg = JSON.parse(String(ev.data)) as { id?: number; result?: unknown; error?: { message: string } };
    if (msg.id === undefined) return;
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.rej(new Error(msg.error.message));
    else p.res(msg.result);
  });
  const call = <T>(method: string, params: Record<string, unknown> = {}) =>
    new Promise<T>((res, rej) => {
      const id = nextId++;
      pending.set(id, { res: res as (v: unknown) => void, rej });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    heap: () => call<HeapUsage>("Runtime.getHeapUsage"),
    liveHeap: async () => {
      await call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
      return call<HeapUsage>("Runtime.getHeapUsage");
    },
    close: () => ws.close(),
  };
}
