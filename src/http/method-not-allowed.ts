/** Finds the methods registered for a path, so a wrong method gets 405 + Allow instead of 404. */
export function allowedMethods(routes: ReadonlyArray<{ method: string; path: string }>, path: string): string[] {
  const methods = new Set<string>();
  for (const r of routes) {
    if (r.method === "ALL") continue;
    if (patternFor(r.path).test(path)) methods.add(r.method);
  }
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods].sort();
}

const cache = new Map<string, RegExp>();

function patternFor(routePath: string): RegExp {
  let re = cache.get(routePath);
  if (!re) {
    const body = routePath
      .split("/")
      .map((seg) => (seg.startsWith(":") ? "[^/]+" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("/");
    re = new RegExp(`^${body}/?$`);
    cache.set(routePath, re);
  }
  return re;
}
