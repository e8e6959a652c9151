import sharp from 'sharp';

/**
 * An average hash: the image shrunk to `size`×`size` greyscale, one bit per cell (darker or
 * lighter than the mean), as hex. Cheap, and blind to the noise of re-encoding: frames of an
 * unchanged window hash the same; new text in it flips bits.
 */
export async function averageHash(image: Buffer, size = 16): Promise<string> {
  const pixels = await sharp(image).greyscale().resize(size, size, { fit: 'fill' }).raw().toBuffer();
  let sum = 0;
  for (const p of pixels) sum += p;
  const mean = sum / pixels.length;
  let hex = '';
  for (let i = 0; i < pixels.length; i += 4) {
    let nibble = 0;
    for (let j = 0; j < 4; j++) nibble = (nibble << 1) | ((pixels[i + j] ?? 0) > mean ? 1 : 0);
    hex += nibble.toString(16);
  }
  return hex;
}
