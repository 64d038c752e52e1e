import { describe, expect, it } from "vitest";
import { refusedTargetReason } from "../../src/lib/target-guard";

const reason = (url: string) => refusedTargetReason(new URL(url));

describe("refusedTargetReason", () => {
  it.each([
    ["http://127.0.0.1/", "Refused target: 127.0.0.1 is a loopback address"],
    ["http://127.8.9.10:8080/x", "127.8.9.10 is a loopback address"],
    ["http://2130706433/", "127.0.0.1 is a loopback address"],
    ["http://0x7f.1/", "127.0.0.1 is a loopback address"],
    ["http://0177.0.0.1/", "127.0.0.1 is a loopback address"],
    ["http://0.0.0.0/", '0.0.0.0 is a "this network" address (0.0.0.0/8)'],
    ["http://10.1.2.3/", "10.1.2.3 is a private address"],
    ["http://100.64.0.1/", "100.64.0.1 is a shared (carrier-grade NAT) address (100.64.0.0/10)"],
    ["http://100.127.255.255/", "carrier-grade NAT"],
    ["http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"],
    ["http://169.254.1.1/", "169.254.1.1 is a link-local address"],
    ["http://172.16.0.1/", "172.16.0.1 is a private address"],
    ["http://172.31.255.255/", "private"],
    ["http://192.168.1.1/", "192.168.1.1 is a private address"],
    ["http://198.18.0.1/", "benchmarking"],
    ["http://198.19.255.255/", "benchmarking"],
    ["http://224.0.0.1/", "224.0.0.1 is a multicast address"],
    ["http://240.0.0.1/", "reserved"],
    ["http://255.255.255.255/", "limited broadcast"],
    ["http://[::]/", "Refused target: :: is the unspecified address"],
    ["http://[::1]:8787/", "::1 is the loopback address"],
    ["http://[0:0:0:0:0:0:0:1]/", "::1 is the loopback address"],
    ["http://[fc00::1]/", "fc00::1 is a unique local (private) address"],
    ["http://[fdab:1234::5]/", "unique local"],
    ["http://[fe80::1]/", "fe80::1 is a link-local address"],
    ["http://[febf::1]/", "link-local"],
    ["http://[fec0::1]/", "site-local"],
    ["http://[ff02::1]/", "multicast"],
    ["http://[::ffff:127.0.0.1]/", "::ffff:7f00:1 is a loopback address"],
    ["http://[::ffff:169.254.169.254]/", "cloud metadata"],
    ["http://[::ffff:10.0.0.1]/", "private"],
    ["http://[::ffff:a00:1]/", "private"],
    ["http://[64:ff9b::a9fe:a9fe]/", "cloud metadata"],
    ["http://[2002:c0a8:101::1]/", "private"],
    ["http://localhost/", "Refused target: localhost is an internal host name"],
    ["http://LOCALHOST./", "localhost is an internal host name"],
    ["http://api.localhost:3000/", "api.localhost is an internal host name (*.localhost)"],
    ["http://metadata/computeMetadata/v1/", "metadata is an internal host name"],
    ["http://metadata.google.internal/", "metadata.google.internal is an internal host name"],
    ["http://db.corp.internal/", "*.internal"],
    ["http://printer.local/", "*.local"],
    ["ftp://example.com/file", 'Refused target: Unsupported URL scheme "ftp": only http and https are allowed'],
    ["file:///etc/passwd", 'Unsupported URL scheme "file"'],
    ["javascript:alert(1)", 'Unsupported URL scheme "javascript"'],
  ])("refuses %s", (url, expected) => {
    expect(reason(url)).toContain(expected);
  });

  it.each([
    "https://api.example.com/hook",
    "http://example.com:8080/x",
    "https://8.8.8.8/",
    "http://1.1.1.1/",
    "http://11.0.0.1/",
    "http://100.63.255.255/",
    "http://100.128.0.0/",
    "http://172.15.255.255/",
    "http://172.32.0.0/",
    "http://192.169.0.1/",
    "http://198.17.255.255/",
    "http://198.20.0.0/",
    "http://223.255.255.255/",
    "http://[2606:4700:4700::1111]/",
    "http://localhost.example.com/",
    "http://internal.example.com/",
    "http://local.example.com/",
  ])("allows %s", (url) => {
    expect(reason(url)).toBeNull();
  });
});

/**
 * One address inside (and where it matters, just outside) every block of the IANA special-purpose registries that
 * is not globally reachable, and every globally reachable entry nested in such a block (issue 15, item 8).
 */
describe("the IANA special-purpose registries, block by block", () => {
  it.each([
    // IPv4 (iana-ipv4-special-registry)
    ["0.255.255.255", "0.0.0.0/8"],
    ["10.255.255.255", "10.0.0.0/8"],
    ["100.127.0.1", "100.64.0.0/10"],
    ["127.0.0.1", "127.0.0.0/8"],
    ["169.254.0.1", "169.254.0.0/16"],
    ["172.20.0.1", "172.16.0.0/12"],
    ["192.0.0.192", "192.0.0.0/24"],
    ["192.0.0.255", "192.0.0.0/24"],
    ["192.0.0.1", "192.0.0.0/29"],
    ["192.0.0.8", "192.0.0.8/32"],
    ["192.0.0.170", "192.0.0.170/32"],
    ["192.0.0.171", "192.0.0.171/32"],
    ["192.0.2.1", "192.0.2.0/24"],
    ["192.88.99.1", "192.88.99.0/24"],
    ["192.168.255.255", "192.168.0.0/16"],
    ["198.18.0.1", "198.18.0.0/15"],
    ["198.51.100.7", "198.51.100.0/24"],
    ["203.0.113.9", "203.0.113.0/24"],
    ["239.255.255.255", "224.0.0.0/4"],
    ["240.0.0.1", "240.0.0.0/4"],
    ["255.255.255.254", "240.0.0.0/4"],
    ["255.255.255.255", "255.255.255.255/32"],
  ])("refuses %s (%s)", (host, cidr) => {
    expect(reason(`http://${host}/`)).toContain(`(${cidr})`);
  });

  it.each([
    ["[::]", "::/128"],
    ["[::1]", "::1/128"],
    ["[::ffff:8.8.8.8]", "::ffff:0:0/96"],
    ["[64:ff9b:1::1]", "64:ff9b:1::/48"],
    ["[64:ff9b:1:ffff::8.8.8.8]", "64:ff9b:1::/48"],
    ["[100::1]", "100::/64"],
    ["[100:0:0:1::1]", "100:0:0:1::/64"],
    ["[2001:100::1]", "2001::/23"],
    ["[2001:1ff::1]", "2001::/23"],
    ["[2001:1::4]", "2001::/23"],
    ["[2001:2::1]", "2001:2::/48"],
    ["[2001:10::1]", "2001:10::/28"],
    ["[2001:db8::1]", "2001:db8::/32"],
    ["[3fff::1]", "3fff::/20"],
    ["[3fff:fff::1]", "3fff::/20"],
    ["[5f00::1]", "5f00::/16"],
    ["[fc00::1]", "fc00::/7"],
    ["[fe80::1]", "fe80::/10"],
    ["[fec0::1]", "fec0::/10"],
    ["[ff0e::1]", "ff00::/8"],
    // Outside 2000::/3: IETF-reserved space, including the deprecated IPv4-compatible and SIIT forms.
    ["[::8.8.8.8]", "(2000::/3)"],
    ["[::ffff:0:808:808]", "(2000::/3)"],
    ["[4000::1]", "(2000::/3)"],
  ])("refuses %s (%s)", (host, block) => {
    expect(reason(`http://${host}/`)).toContain(block.startsWith("(") ? block : `(${block})`);
  });

  it.each([
    ["NAT64", "[64:ff9b::7f00:1]", "127.0.0.1"],
    ["NAT64 of 192.0.0.192", "[64:ff9b::c000:c0]", "192.0.0.192"],
    ["6to4", "[2002:a9fe:a9fe::1]", "169.254.169.254"],
    ["6to4 of CGN", "[2002:6440:1::1]", "100.64.0.1"],
    ["Teredo server", "[2001:0:a00:1::1]", "10.0.0.1"],
    ["Teredo client (inverted)", "[2001:0:808:808:0:0:80ff:fffe]", "127.0.0.1"],
    ["ISATAP", "[2606:4700::5efe:c0a8:101]", "192.168.1.1"],
    ["ISATAP (universal bit)", "[2606:4700::200:5efe:a00:1]", "10.0.0.1"],
    ["IPv4-mapped", "[::ffff:127.0.0.1]", "127.0.0.1"],
  ])("refuses an IPv6 form embedding a refused IPv4 address: %s", (_, host, embedded) => {
    expect(reason(`http://${host}/`)).toContain(`as ${embedded}`);
  });

  it.each([
    "http://192.0.0.9/",
    "http://192.0.0.10/",
    "http://192.31.196.1/",
    "http://192.52.193.1/",
    "http://192.175.48.1/",
    "http://192.0.1.1/",
    "http://[64:ff9b::808:808]/",
    "http://[2001:1::1]/",
    "http://[2001:1::2]/",
    "http://[2001:1::3]/",
    "http://[2001:3::1]/",
    "http://[2001:4:112::1]/",
    "http://[2001:20::1]/",
    "http://[2001:30::1]/",
    "http://[2002:808:808::1]/",
    "http://[2001:0:808:808:0:0:f7f7:f7f7]/",
    "http://[2620:4f:8000::1]/",
    "http://[2001:4860:4860::8888]/",
  ])("allows the globally reachable %s", (url) => {
    expect(reason(url)).toBeNull();
  });

  it.each([
    "http://127.1/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://localhost./",
    "http://[0::1]/",
    "http://[::ffff:7f00:1]/",
    "http://[0:0:0:0:0:ffff:127.0.0.1]/",
  ])("refuses the disguised loopback %s", (url) => {
    expect(reason(url)).not.toBeNull();
  });
});

describe("ALLOW_PRIVATE_TARGETS (allowLoopback): loopback only", () => {
  const allowing = (url: string) => refusedTargetReason(new URL(url), true);

  it.each([
    "http://127.0.0.1:8787/hook",
    "http://127.8.9.10/",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://[::1]:8787/",
    "http://[0:0:0:0:0:0:0:1]/",
    "http://localhost:8787/",
    "http://localhost./",
    "http://LOCALHOST/",
  ])("allows %s", (url) => {
    expect(allowing(url)).toBeNull();
  });

  it.each([
    ["http://169.254.169.254/latest/meta-data/", "cloud metadata"],
    ["http://10.0.0.1/", "private"],
    ["http://192.168.1.1/", "private"],
    ["http://172.16.0.1/", "private"],
    ["http://100.64.0.1/", "carrier-grade NAT"],
    ["http://169.254.1.1/", "link-local"],
    ["http://0.0.0.0/", "this network"],
    ["http://[fe80::1]/", "link-local"],
    ["http://[fd00::1]/", "unique local"],
    ["http://[::ffff:169.254.169.254]/", "cloud metadata"],
    ["http://[::ffff:127.0.0.1]/", "loopback"],
    ["http://metadata.google.internal/", "internal host name"],
    ["http://api.localhost/", "internal host name"],
    ["http://printer.local/", "internal host name"],
    ["ftp://127.0.0.1/", "Unsupported URL scheme"],
  ])("still refuses %s", (url, what) => {
    expect(allowing(url)).toContain(what);
  });
});
