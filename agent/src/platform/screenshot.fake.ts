import { AgentError } from '../errors';
import type { EvidenceStamp, Screenshot, ScreenshotImage } from '../core/ports';

/** Recognisable stand-in bytes (a RIFF/WEBP header), so tests can tell which image travelled. */
export const FAKE_WEBP = Uint8Array.from([0x52, 0x49, 0x46, 0x46, 4, 0, 0, 0, 0x57, 0x45, 0x42, 0x50, 1, 2, 3, 4]);
export const FAKE_THUMBNAIL = Uint8Array.from([0x52, 0x49, 0x46, 0x46, 4, 0, 0, 0, 0x57, 0x45, 0x42, 0x50, 9, 9]);
export const FAKE_UNAVAILABLE = Uint8Array.from([0x52, 0x49, 0x46, 0x46, 4, 0, 0, 0, 0x57, 0x45, 0x42, 0x50, 0, 0]);

export class FakeScreenshot implements Screenshot {
  calls = 0;
  failing = false;
  /** The evidence stamps asked for, in order. */
  stamps: EvidenceStamp[] = [];

  capture(stamp: EvidenceStamp): Promise<ScreenshotImage> {
    this.calls += 1;
    this.stamps.push(stamp);
    if (this.failing) return Promise.reject(new AgentError('AGENT_ERR_SCREENSHOT_FAILED'));
    return Promise.resolve({ webp: FAKE_WEBP, width: 1280, height: 800, thumbnail: FAKE_THUMBNAIL });
  }

  unavailable(stamp: EvidenceStamp): Promise<ScreenshotImage> {
    this.stamps.push(stamp);
    return Promise.resolve({ webp: FAKE_UNAVAILABLE, width: 640, height: 360, thumbnail: FAKE_UNAVAILABLE });
  }
}
