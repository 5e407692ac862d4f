// A tiny valid PNG (8-bit RGB, no interlace): a two-colour diagonal gradient
// whose colours come from a hash of the prompt, so different prompts give
// different images and the same prompt the same one.

import { createHash } from "node:crypto";
import { deflateSync } from "node:zlib";

// CRC-32 (IEEE) by table; zlib.crc32 only exists from Node 20.15 / 22.2.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Pixel size per aspect: 1:1, 16:9 and 9:16 as seed 003 states them, scaled down. */
export const IMAGE_SIZES = Object.freeze({
  square: [16, 16],
  landscape: [32, 18],
  portrait: [18, 32],
});

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

export function tinyPng(aspect, prompt) {
  const [width, height] = IMAGE_SIZES[aspect];
  const seed = createHash("sha256").update(prompt).digest();
  const from = [seed[0], seed[1], seed[2]];
  const to = [seed[3], seed[4], seed[5]];
  const rowBytes = 1 + width * 3;
  const raw = Buffer.alloc(rowBytes * height);
  for (let y = 0; y < height; y++) {
    raw[y * rowBytes] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const t = (x + y) / (width + height - 2);
      for (let c = 0; c < 3; c++) raw[y * rowBytes + 1 + x * 3 + c] = Math.round(from[c] + (to[c] - from[c]) * t);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour
  header[10] = 0; // compression
  header[11] = 0; // filter method
  header[12] = 0; // interlace
  return Buffer.concat([SIGNATURE, chunk("IHDR", header), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}
