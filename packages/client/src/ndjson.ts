/**
 * Newline-delimited JSON (https://github.com/ndjson/ndjson-spec): one JSON value per LF-terminated line.
 * Read incrementally, so an export of any size is parsed with memory for one line at a time.
 */
export async function* ndjsonValues<T>(body: ReadableStream<Uint8Array>): AsyncGenerator<T> {
  const reader = body.getReader();
  const decoder = new TextDecoder(); // UTF-8; `stream: true` keeps a character split across chunks whole
  let rest = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += decoder.decode(value, { stream: true });
      let nl = rest.indexOf("\n");
      while (nl !== -1) {
        const line = rest.slice(0, nl).trim();
        rest = rest.slice(nl + 1);
        if (line !== "") yield JSON.parse(line) as T;
        nl = rest.indexOf("\n");
      }
    }
    rest += decoder.decode();
    if (rest.trim() !== "") yield JSON.parse(rest) as T;
  } finally {
    // A caller that stops early (break out of for-await) cancels the download instead of draining it.
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
