/**
 * Keeps jobs (and their redirects) away from loopback, private, link-local and metadata addresses. Only literal
 * addresses and well-known internal names can be judged here: Workers has no DNS API, so a public name that
 * resolves to a private address is left to the platform, whose fetch() cannot reach private networks anyway.
 */

type V4Range = [base: number, prefix: number, what: string];

const V4_RANGES: V4Range[] = [
  [0x00000000, 8, "an unspecified (0.0.0.0/8) address"],
  [0x0a000000, 8, "a private address"],
  [0x64400000, 10, "a carrier-grade NAT (100.64.0.0/10) address"],
  [0x7f000000, 8, "a loopback address"],
  [0xa9fea9fe, 32, "a cloud metadata address"],
  [0xa9fe0000, 16, "a link-local address"],
  [0xac100000, 12, "a private address"],
  [0xc0a80000, 16, "a private address"],
  [0xc6120000, 15, "a benchmarking (198.18.0.0/15) address"],
  [0xe0000000, 4, "a multicast address"],
  [0xf0000000, 4, "a reserved address"],
];

const BLOCKED_NAMES = new Set(["localhost", "metadata", "metadata.google.internal", "instance-data"]);
const BLOCKED_SUFFIXES = [".localhost", ".internal", ".local"];

function parseIpv4(host: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return null;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return null;
  return octets.reduce((acc, o) => acc * 256 + o, 0);
}

function v4Class(addr: number): string | null {
  for (const [base, prefix, what] of V4_RANGES) {
    const size = 2 ** (32 - prefix);
    if (addr >= base && addr < base + size) return what;
  }
  return null;
}

/** Parses an IPv6 literal (no brackets) into eight 16-bit pieces; accepts a trailing dotted IPv4. */
function parseIpv6(host: string): number[] | null {
  let text = host;
  const tail: number[] = [];
  const dotted = /^(.*:)(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(host);
  if (dotted) {
    const v4 = parseIpv4(dotted[2] ?? "");
    if (v4 === null) return null;
    tail.push(v4 >>> 16, v4 & 0xffff);
    const prefix = dotted[1] ?? "";
    text = prefix.endsWith("::") ? prefix : prefix.slice(0, -1);
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const pieces = (s: string) =>
    s === "" ? [] : s.split(":").map((p) => (/^[0-9a-f]{1,4}$/i.test(p) ? parseInt(p, 16) : NaN));
  const head = pieces(halves[0] ?? "");
  const rest = pieces(halves[1] ?? "");
  if (head.some(Number.isNaN) || rest.some(Number.isNaN)) return null;
  const given = head.length + rest.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return null;
  return [...head, ...new Array<number>(8 - given).fill(0), ...rest, ...tail];
}

function v6Class(p: number[]): string | null {
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0, h = 0] = p;
  const embedded = (hi: number, lo: number) => v4Class(hi * 0x10000 + lo);
  if (a === 0 && b === 0 && c === 0 && d === 0 && e === 0) {
    if (f === 0 && g === 0 && h === 0) return "an unspecified address";
    if (f === 0 && g === 0 && h === 1) return "a loopback address";
    // ::ffff:a.b.c.d (IPv4-mapped) and the deprecated ::a.b.c.d (IPv4-compatible) reach the IPv4 address.
    if (f === 0xffff || f === 0) return embedded(g, h) ?? (f === 0 ? "a reserved IPv4-compatible address" : null);
  }
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) also embed an IPv4 address.
  if (a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0) return embedded(g, h);
  if (a === 0x2002) return embedded(b, c);
  if ((a & 0xfe00) === 0xfc00) return "a unique local (private) address";
  if ((a & 0xffc0) === 0xfe80) return "a link-local address";
  if ((a & 0xffc0) === 0xfec0) return "a site-local address";
  if ((a & 0xff00) === 0xff00) return "a multicast address";
  return null;
}

/** Why `url` may not be fetched at all (scheme), regardless of the private-target policy; null if it may. */
export function unsupportedSchemeReason(url: URL): string | null {
  if (url.protocol === "http:" || url.protocol === "https:") return null;
  return `Unsupported URL scheme "${url.protocol.slice(0, -1)}": only http and https are allowed`;
}

/** Why the host of `url` is refused, e.g. "127.0.0.1 is a loopback address"; null if it is allowed. */
export function refusedHostReason(url: URL): string | null {
  // WHATWG URL has already lower-cased the host and normalised IPv4 (2130706433, 0x7f.1) and IPv6 literals.
  const host = url.hostname.replace(/\.+$/, "");
  if (host.startsWith("[") && host.endsWith("]")) {
    const literal = host.slice(1, -1);
    const pieces = parseIpv6(literal);
    if (!pieces) return `${literal} is not a valid IPv6 address`;
    const what = v6Class(pieces);
    return what ? `${literal} is ${what}` : null;
  }
  const v4 = parseIpv4(host);
  if (v4 !== null) {
    const what = v4Class(v4);
    return what ? `${host} is ${what}` : null;
  }
  if (host === "") return "the URL has no host";
  if (BLOCKED_NAMES.has(host)) return `${host} is an internal host name`;
  const suffix = BLOCKED_SUFFIXES.find((s) => host.endsWith(s));
  return suffix ? `${host} is an internal host name (*${suffix})` : null;
}

/** A human reason such as "Refused target: 127.0.0.1 is a loopback address", or null if `url` may be fetched. */
export function refusedTargetReason(url: URL): string | null {
  const reason = unsupportedSchemeReason(url) ?? refusedHostReason(url);
  return reason ? `Refused target: ${reason}` : null;
}
