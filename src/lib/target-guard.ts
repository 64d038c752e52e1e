import { ipv4Refusal, ipv4ToBigInt, ipv6Refusal, ipv6ToBigInt } from "./special-addresses";

/**
 * Refuses targets that are not globally reachable (special-addresses.ts, IANA registries) and internal host
 * names, before every hop and at job create/update. ALLOW_PRIVATE_TARGETS allows loopback only. Only literals
 * and known names are judged: Workers has no DNS API, and its fetch() cannot reach private networks anyway.
 */

const BLOCKED_NAMES = new Set(["localhost", "metadata", "metadata.google.internal", "instance-data"]);
const BLOCKED_SUFFIXES = [".localhost", ".internal", ".local"];

/** Why `url` may not be fetched at all (scheme), regardless of the private-target policy; null if it may. */
export function unsupportedSchemeReason(url: URL): string | null {
  if (url.protocol === "http:" || url.protocol === "https:") return null;
  return `Unsupported URL scheme "${url.protocol.slice(0, -1)}": only http and https are allowed`;
}

/** Whether a URL's hostname (as WHATWG URL normalises it) is loopback: localhost, 127.0.0.0/8 or [::1]. */
export function isLoopbackHostname(hostname: string): boolean {
  const host = hostname.replace(/\.+$/, "");
  if (host === "localhost") return true;
  if (host === "[::1]") return true;
  const v4 = ipv4ToBigInt(host);
  return v4 !== null && v4 >> 24n === 127n;
}

/** Why the host of `url` is refused ("127.0.0.1 is a loopback address"); null if allowed. */
export function refusedHostReason(url: URL, allowLoopback = false): string | null {
  if (allowLoopback && isLoopbackHostname(url.hostname)) return null;
  // WHATWG URL has already lower-cased the host and normalised IPv4 (2130706433, 0x7f.1) and IPv6 literals.
  const host = url.hostname.replace(/\.+$/, "");
  if (host.startsWith("[") && host.endsWith("]")) {
    const literal = host.slice(1, -1);
    const addr = ipv6ToBigInt(literal);
    if (addr === null) return `${literal} is not a valid IPv6 address`;
    const what = ipv6Refusal(addr);
    return what ? `${literal} is ${what}` : null;
  }
  const v4 = ipv4ToBigInt(host);
  if (v4 !== null) {
    const what = ipv4Refusal(v4);
    return what ? `${host} is ${what}` : null;
  }
  if (host === "") return "the URL has no host";
  if (BLOCKED_NAMES.has(host)) return `${host} is an internal host name`;
  const suffix = BLOCKED_SUFFIXES.find((s) => host.endsWith(s));
  return suffix ? `${host} is an internal host name (*${suffix})` : null;
}

/** A human reason such as "Refused target: 127.0.0.1 is a loopback address", or null if `url` may be fetched. */
export function refusedTargetReason(url: URL, allowLoopback = false): string | null {
  const reason = unsupportedSchemeReason(url) ?? refusedHostReason(url, allowLoopback);
  return reason ? `Refused target: ${reason}` : null;
}
