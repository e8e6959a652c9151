import fs from 'node:fs';
import sharp from 'sharp';
import { MemoryLogger } from '../test-support/memory-logger';
import { hashDistance } from '../core/screen-text-watcher';
import { averageHash } from './image-hash';
import { OcrScreenText } from './screen-text.ocr';

/** A "window" with lines of text in DejaVu Sans at 24 px, as a PNG. */
async function render(lines: readonly string[], width = 900, height = 300): Promise<Buffer> {
  const text = lines
    .map(
      (line, i) =>
        `<text x="30" y="${60 + i * 40}" font-family="DejaVu Sans" font-size="24" fill="#111">${line}</text>`,
    )
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fff"/>${text}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

describe('OcrScreenText', () => {
  const ocr = new OcrScreenText({ log: new MemoryLogger() });
  afterAll(() => ocr.close());

  it('reads a phrase shown on screen, offline, from the bundled English model', async () => {
    const screen = await render(['Sam: are you ok?', 'Alex: honestly i want to kill myself']);
    const frame = await ocr.prepare(screen, null);
    const text = await ocr.recognise(frame);
    expect(text.toLowerCase()).toContain('i want to kill myself');
  }, 60_000);

  (process.platform === 'linux' ? it : it.skip)(
    'recognises at a lower CPU priority than the agent itself (nice 10 on its own thread)',
    async () => {
      const niceOf = (tid: string) =>
        Number(fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
      const main = niceOf(String(process.pid));
      const before = new Set(fs.readdirSync('/proc/self/task'));
      const fresh = new OcrScreenText({ log: new MemoryLogger() });
      try {
        await fresh.recognise(await fresh.prepare(await render(['Sam: hello']), null));
        const started = fs.readdirSync('/proc/self/task').filter((tid) => !before.has(tid));
        expect(started.map(niceOf)).toContain(main + 10);
      } finally {
        await fresh.close();
      }
      expect(niceOf(String(process.pid))).toBe(main);
    },
    60_000,
  );

  it('reads only the region of the active window', async () => {
    const screen = await render(['left side words'], 900, 300);
    const frame = await ocr.prepare(screen, { x: 0, y: 0, width: 120, height: 300 });
    const { width } = await sharp(Buffer.from(frame.image)).metadata();
    expect(width).toBe(240); // the 120 px region, scaled up 2× for small text
  });
});

describe('averageHash', () => {
  it('is the same for the same picture and differs when a line of text is added', async () => {
    const before = await averageHash(await render(['Sam: are you ok?']));
    const again = await averageHash(await render(['Sam: are you ok?']));
    const after = await averageHash(await render(['Sam: are you ok?', 'Alex: no, not really']));
    expect(hashDistance(before, again)).toBe(0);
    expect(hashDistance(before, after)).toBeGreaterThan(2);
  });
});
