/**
 * Blocks a job may not target, from the IANA IPv4/IPv6 Special-Purpose Address Registries (RFC 6890): every
 * block not "Globally Reachable" is refused, more specific reachable entries inside are allowed (longest prefix
 * wins). Added: multicast, 6to4 relay anycast (RFC 7526), the metadata address 169.254.169.254, and IPv6 outside
 * 2000::/3 (IANA IPv6 Address Space).
 *
 * Embedded IPv4 is judged too: NAT64 64:ff9b::/96 (RFC 6052), 6to4 2002::/16 (RFC 3056), Teredo 2001::/32
 * (RFC 4380), ISATAP (RFC 5214). NAT64 network-specific prefixes cannot be recognised.
 */

interface Block {
  /** Prefix bits as a bigint (IPv4: 32 bits, IPv6: 128 bits). */
  base: bigint;
  length: number;
  /** What an address in the block is, for messages: "a loopback address (127.0.0.0/8)". */
  what: string;
  globallyReachable: boolean;
}

function block(cidr: string, name: string, globallyReachable: boolean, bits: 32 | 128): Block {
  const [addr = "", len = ""] = cidr.split("/");
  const parsed = bits === 32 ? ipv4ToBigInt(addr) : ipv6ToBigInt(addr);
  if (parsed === null) throw new Error(`bad registry entry ${cidr}`);
  return { base: parsed, length: Number(len), what: `${name} (${cidr})`, globallyReachable };
}

const v4 = (cidr: string, name: string, reachable = false) => block(cidr, name, reachable, 32);
const v6 = (cidr: string, name: string, reachable = false) => block(cidr, name, reachable, 128);

const V4_BLOCKS: Block[] = [
  v4("0.0.0.0/8", 'a "this network" address'),
  v4("10.0.0.0/8", "a private address"),
  v4("100.64.0.0/10", "a shared (carrier-grade NAT) address"),
  v4("127.0.0.0/8", "a loopback address"),
  v4("169.254.0.0/16", "a link-local address"),
  v4("169.254.169.254/32", "a cloud metadata address"),
  v4("172.16.0.0/12", "a private address"),
  v4("192.0.0.0/24", "an IETF protocol assignment address"),
  v4("192.0.0.0/29", "an IPv4 service continuity address"),
  v4("192.0.0.8/32", "the IPv4 dummy address"),
  v4("192.0.0.9/32", "the PCP anycast address", true),
  v4("192.0.0.10/32", "the TURN anycast address", true),
  v4("192.0.0.170/32", "a NAT64/DNS64 discovery address"),
  v4("192.0.0.171/32", "a NAT64/DNS64 discovery address"),
  v4("192.0.2.0/24", "a documentation (TEST-NET-1) address"),
  v4("192.31.196.0/24", "an AS112 address", true),
  v4("192.52.193.0/24", "an AMT address", true),
  v4("192.88.99.0/24", "a deprecated 6to4 relay anycast address"),
  v4("192.168.0.0/16", "a private address"),
  v4("192.175.48.0/24", "an AS112 direct delegation address", true),
  v4("198.18.0.0/15", "a benchmarking address"),
  v4("198.51.100.0/24", "a documentation (TEST-NET-2) address"),
  v4("203.0.113.0/24", "a documentation (TEST-NET-3) address"),
  v4("224.0.0.0/4", "a multicast address"),
  v4("240.0.0.0/4", "a reserved address"),
  v4("255.255.255.255/32", "the limited broadcast address"),
];

const V6_BLOCKS: Block[] = [
  v6("::/0", "an address outside global unicast space (2000::/3), reserved by the IETF"),
  v6("2000::/3", "a global unicast address", true),
  v6("::/128", "the unspecified address"),
  v6("::1/128", "the loopback address"),
  v6("::ffff:0:0/96", "an IPv4-mapped address"),
  v6("64:ff9b::/96", "a NAT64 address", true),
  v6("64:ff9b:1::/48", "a local-use NAT64 address"),
  v6("100::/64", "a discard-only address"),
  v6("100:0:0:1::/64", "a dummy IPv6 address"),
  v6("2001::/23", "an IETF protocol assignment address"),
  v6("2001::/32", "a Teredo address", true),
  v6("2001:1::1/128", "the PCP anycast address", true),
  v6("2001:1::2/128", "the TURN anycast address", true),
  v6("2001:1::3/128", "the DNS-SD service registration anycast address", true),
  v6("2001:2::/48", "a benchmarking address"),
  v6("2001:3::/32", "an AMT address", true),
  v6("2001:4:112::/48", "an AS112 address", true),
  v6("2001:10::/28", "a deprecated ORCHID address"),
  v6("2001:20::/28", "an ORCHIDv2 address", true),
  v6("2001:30::/28", "a drone remote ID (DET) address", true),
  v6("2001:db8::/32", "a documentation address"),
  v6("2002::/16", "a 6to4 address", true),
  v6("2620:4f:8000::/48", "an AS112 direct delegation address", true),
  v6("3fff::/20", "a documentation address"),
  v6("5f00::/16", "a segment routing (SRv6) SID"),
  v6("fc00::/7", "a unique local (private) address"),
  v6("fe80::/10", "a link-local address"),
  v6("fec0::/10", "a deprecated site-local address"),
  v6("ff00::/8", "a multicast address"),
];

function longestMatch(blocks: Block[], addr: bigint, bits: number): Block | null {
  let best: Block | null = null;
  for (const b of blocks) {
    const shift = BigInt(bits - b.length);
    if (addr >> shift === b.base >> shift && (best === null || b.length > best.length)) best = b;
  }
  return best;
}

/** Dotted-quad IPv4 (the form WHATWG URL normalises every IPv4 host to) as a bigint; null if not one. */
export function ipv4ToBigInt(text: string): bigint | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return null;
  return octets.reduce((acc, o) => acc * 256n + BigInt(o), 0n);
}

/** An IPv6 literal (no brackets, no zone id) as a 128-bit bigint; accepts a trailing dotted IPv4; null if invalid. */
export function ipv6ToBigInt(text: string): bigint | null {
  let head = text;
  const tail: number[] = [];
  const dotted = /^(.*:)(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(text);
  if (dotted) {
    const four = ipv4ToBigInt(dotted[2] ?? "");
    if (four === null) return null;
    tail.push(Number(four >> 16n), Number(four & 0xffffn));
    const prefix = dotted[1] ?? "";
    head = prefix.endsWith("::") ? prefix : prefix.slice(0, -1);
  }
  const halves = head.split("::");
  if (halves.length > 2) return null;
  const pieces = (s: string) =>
    s === "" ? [] : s.split(":").map((p) => (/^[0-9a-f]{1,4}$/i.test(p) ? Number.parseInt(p, 16) : Number.NaN));
  const first = pieces(halves[0] ?? "");
  const rest = pieces(halves[1] ?? "");
  if (first.some(Number.isNaN) || rest.some(Number.isNaN)) return null;
  const given = first.length + rest.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return null;
  const all = [...first, ...new Array<number>(8 - given).fill(0), ...rest, ...tail];
  return all.reduce((acc, p) => (acc << 16n) | BigInt(p), 0n);
}

const dotted = (n: bigint) => [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join(".");

/** Why an IPv4 address (32-bit bigint) is not globally reachable, e.g. "a loopback address (127.0.0.0/8)"; null if it is. */
export function ipv4Refusal(addr: bigint): string | null {
  const b = longestMatch(V4_BLOCKS, addr, 32);
  return b && !b.globallyReachable ? b.what : null;
}

/** The IPv4 addresses an IPv6 address embeds (NAT64, 6to4, Teredo server and client, ISATAP, IPv4-mapped). */
export function embeddedIpv4(addr: bigint): bigint[] {
  const bits = (from: number, count: number) => (addr >> BigInt(128 - from - count)) & ((1n << BigInt(count)) - 1n);
  const low32 = bits(96, 32);
  const out: bigint[] = [];
  if (addr >> 32n === 0xffffn) out.push(low32); // ::ffff:a.b.c.d
  if (addr >> 32n === 0x0064ff9b0000000000000000n) out.push(low32); // 64:ff9b::a.b.c.d
  if (bits(0, 16) === 0x2002n) out.push(bits(16, 32)); // 2002:AABB:CCDD::
  if (bits(0, 32) === 0x20010000n) out.push(bits(32, 32), low32 ^ 0xffffffffn); // Teredo server, client
  const isatap = bits(64, 32);
  if (isatap === 0x00005efen || isatap === 0x02005efen) out.push(low32); // …:0:5efe:a.b.c.d
  return out;
}

/** Why an IPv6 address is refused, e.g. "a loopback address (::1/128)" or "…: it embeds 10.0.0.1, a private …". */
export function ipv6Refusal(addr: bigint): string | null {
  for (const four of embeddedIpv4(addr)) {
    const why = ipv4Refusal(four);
    if (why) return `${why}, embedded in ${longestMatch(V6_BLOCKS, addr, 128)?.what ?? "it"} as ${dotted(four)}`;
  }
  const b = longestMatch(V6_BLOCKS, addr, 128);
  return b && !b.globallyReachable ? b.what : null;
}
