/**
 * What the committed codec (src/lib/codec: dictionary CURRENT_DICTIONARY) does to held-out samples: mean bytes
 * before (UTF-8) and after (stored, codec byte included), and µs of CPU per encodeText/decodeText in Node. Every
 * value is checked to decode back, by decodeText and by node:zlib.
 *
 *   npx tsx scripts/codec/measure.ts
 */
import { inflateRawSync } from "node:zlib";
import { DICTIONARY_1 } from "../../src/lib/codec/dictionaries/1.ts";
import { CURRENT_DICTIONARY, codecOf, decodeText, encodeText } from "../../src/lib/codec/index.ts";
import { heldOut } from "./samples.ts";
import { usPerCall } from "./timing.ts";

const pad = (s: string | number, w = 9) => String(s).padStart(w);
console.log(`dictionary ${CURRENT_DICTIONARY}; held-out samples (never in the corpus)`);
console.log(
  `${"".padEnd(14)}${pad("n", 5)}${pad("raw B")}${pad("stored B")}${pad("ratio")}${pad("deflated")}${pad("enc µs")}${pad("dec µs")}`,
);
for (const [label, samples] of heldOut()) {
  const encoded = samples.map(encodeText);
  for (const [i, e] of encoded.entries()) {
    if (decodeText(e) !== samples[i]) throw new Error(`round trip failed for ${JSON.stringify(samples[i])}`);
  }
  // The payload is standard raw deflate: zlib itself inflates it with the same dictionary.
  for (const [i, e] of encoded.entries()) {
    if (codecOf(e) === 0) continue;
    const viaZlib = inflateRawSync(e.subarray(1), { dictionary: DICTIONARY_1 }).toString("utf8");
    if (viaZlib !== samples[i]) throw new Error(`zlib disagrees on ${JSON.stringify(samples[i])}`);
  }
  const raw = samples.reduce((n, s) => n + Buffer.byteLength(s), 0);
  const stored = encoded.reduce((n, e) => n + e.length, 0);
  const deflated = encoded.filter((e) => codecOf(e) !== 0).length;
  const enc = usPerCall(() => {
    for (const s of samples) encodeText(s);
  }, samples.length);
  const dec = usPerCall(() => {
    for (const e of encoded) decodeText(e);
  }, samples.length);
  console.log(
    `${label.padEnd(14)}${pad(samples.length, 5)}${pad((raw / samples.length).toFixed(1))}${pad((stored / samples.length).toFixed(1))}${pad((stored / raw).toFixed(2))}${pad(`${Math.round((100 * deflated) / samples.length)}%`)}${pad(enc.toFixed(1))}${pad(dec.toFixed(1))}`,
  );
}
