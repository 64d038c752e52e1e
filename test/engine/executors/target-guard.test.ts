import { describe, expect, it } from "vitest";
import { refusedTargetReason } from "../../../src/engine/target-guard";

const reason = (url: string) => refusedTargetReason(new URL(url));

describe("refusedTargetReason", () => {
  it.each([
    ["http://127.0.0.1/", "Refused target: 127.0.0.1 is a loopback address"],
    ["http://127.8.9.10:8080/x", "127.8.9.10 is a loopback address"],
    ["http://2130706433/", "127.0.0.1 is a loopback address"],
    ["http://0x7f.1/", "127.0.0.1 is a loopback address"],
    ["http://0177.0.0.1/", "127.0.0.1 is a loopback address"],
    ["http://0.0.0.0/", "0.0.0.0 is an unspecified (0.0.0.0/8) address"],
    ["http://10.1.2.3/", "10.1.2.3 is a private address"],
    ["http://100.64.0.1/", "100.64.0.1 is a carrier-grade NAT (100.64.0.0/10) address"],
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
    ["http://255.255.255.255/", "reserved"],
    ["http://[::]/", "Refused target: :: is an unspecified address"],
    ["http://[::1]:8787/", "::1 is a loopback address"],
    ["http://[0:0:0:0:0:0:0:1]/", "::1 is a loopback address"],
    ["http://[fc00::1]/", "fc00::1 is a unique local (private) address"],
    ["http://[fdab:1234::5]/", "unique local"],
    ["http://[fe80::1]/", "fe80::1 is a link-local address"],
    ["http://[febf::1]/", "link-local"],
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
    "http://[::ffff:8.8.8.8]/",
    "http://localhost.example.com/",
    "http://internal.example.com/",
    "http://local.example.com/",
  ])("allows %s", (url) => {
    expect(reason(url)).toBeNull();
  });
});
