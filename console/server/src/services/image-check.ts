import { crc32 } from 'node:zlib';

/**
 * Structural checks of an uploaded image, in place of decoding every pixel (a full decode of a
 * 1366×768 WebP costs 10–50 ms of CPU, which alone would cap ingest far below 300 captures/s on two
 * cores). They catch what happens to files in real life: truncation, a wrong or partial upload,
 * bytes damaged in transit (PNG chunks carry CRCs; WebP has no checksum, so its check is of lengths
 * and headers only). sharp still reads the header for the format and size.
 */
export function imageStructureOk(bytes: Buffer, format: string, width: number, height: number): boolean {
  if (format === 'png') return pngOk(bytes);
  if (format === 'webp') return webpOk(bytes, width, height);
  if (format === 'jpeg') return jpegOk(bytes);
  return false;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Every chunk whole with a right CRC, IHDR first, at least one IDAT, IEND last at the very end. */
function pngOk(b: Buffer): boolean {
  if (b.length < 8 + 25 + 12 || !b.subarray(0, 8).equals(PNG_SIGNATURE)) return false;
  let at = 8;
  let first = true;
  let idat = false;
  while (at + 12 <= b.length) {
    const length = b.readUInt32BE(at);
    const type = b.toString('latin1', at + 4, at + 8);
    const end = at + 12 + length;
    if (end > b.length) return false;
    if (crc32(b.subarray(at + 4, at + 8 + length)) !== b.readUInt32BE(at + 8 + length)) return false;
    if (first && type !== 'IHDR') return false;
    first = false;
    if (type === 'IDAT') idat = true;
    if (type === 'IEND') return idat && end === b.length;
    at = end;
  }
  return false;
}

/** RIFF length equal to the file's, chunks that tile it exactly, a VP8/VP8L bitstream header that agrees with the size. */
function webpOk(b: Buffer, width: number, height: number): boolean {
  if (b.length < 20 || b.toString('latin1', 0, 4) !== 'RIFF' || b.toString('latin1', 8, 12) !== 'WEBP') return false;
  if (b.readUInt32LE(4) + 8 !== b.length) return false;
  let at = 12;
  let image = false;
  while (at < b.length) {
    if (at + 8 > b.length) return false;
    const fourcc = b.toString('latin1', at, at + 4);
    const size = b.readUInt32LE(at + 4);
    const data = at + 8;
    const end = data + size + (size & 1);
    if (data + size > b.length) return false;
    if (fourcc === 'VP8 ') {
      if (size < 10) return false;
      const tag = b[data]! | (b[data + 1]! << 8) | (b[data + 2]! << 16);
      const firstPartition = tag >>> 5;
      if (b[data + 3] !== 0x9d || b[data + 4] !== 0x01 || b[data + 5] !== 0x2a) return false;
      if (firstPartition > size - 10) return false;
      const w = b.readUInt16LE(data + 6) & 0x3fff;
      const h = b.readUInt16LE(data + 8) & 0x3fff;
      if (w !== width || h !== height) return false;
      image = true;
    } else if (fourcc === 'VP8L') {
      if (size < 5 || b[data] !== 0x2f) return false;
      const bits = b.readUInt32LE(data + 1);
      if ((bits & 0x3fff) + 1 !== width || ((bits >>> 14) & 0x3fff) + 1 !== height) return false;
      image = true;
    } else if (fourcc === 'ANMF') {
      image = true;
    }
    if (end > b.length) return false;
    at = end;
  }
  return image;
}

/** Starts with SOI and ends with EOI (a truncated JPEG loses its end marker). */
function jpegOk(b: Buffer): boolean {
  return b.length > 4 && b[0] === 0xff && b[1] === 0xd8 && b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9;
}

/**
 * Format and size from a PNG's IHDR or a WebP's VP8X/VP8/VP8L header, without sharp (whose
 * per-call cost on the event loop was the largest item of ingest in the bench). Undefined for
 * anything else (JPEG and unknown data go to sharp).
 */
export function readImageHeader(b: Buffer): { format: 'png' | 'webp'; width: number; height: number } | undefined {
  if (b.length >= 24 && b.subarray(0, 8).equals(PNG_SIGNATURE) && b.toString('latin1', 12, 16) === 'IHDR') {
    return { format: 'png', width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  }
  if (b.length >= 30 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') {
    const fourcc = b.toString('latin1', 12, 16);
    const data = 20;
    if (fourcc === 'VP8X') {
      return { format: 'webp', width: b.readUIntLE(data + 4, 3) + 1, height: b.readUIntLE(data + 7, 3) + 1 };
    }
    if (fourcc === 'VP8 ') {
      return {
        format: 'webp',
        width: b.readUInt16LE(data + 6) & 0x3fff,
        height: b.readUInt16LE(data + 8) & 0x3fff,
      };
    }
    if (fourcc === 'VP8L' && b[data] === 0x2f) {
      const bits = b.readUInt32LE(data + 1);
      return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
  }
  return undefined;
}
