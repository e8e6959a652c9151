import type { Clock } from './ports';

/**
 * A short fingerprint of some text (two 32-bit FNV-1a hashes), so what was already matched can be
 * remembered without keeping the text itself.
 */
export function textKey(...parts: readonly string[]): string {
  const text = parts.join('\u0000');
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

export interface SeenCountsOptions {
  clock: Clock;
  /** A key not seen for this long is forgotten (default 30 minutes). */
  ttlMs?: number;
  /** At most this many keys are kept; the least recently seen go first (default 2,000). */
  maxKeys?: number;
}

/**
 * The highest count seen for each key, for a while. Sources use it to report a thing once per
 * sighting rather than on every poll: `raise(key, n)` is true only when `n` beats what was seen.
 */
export class SeenCounts {
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly maxKeys: number;
  private readonly counts = new Map<string, { count: number; at: number }>();

  constructor(options: SeenCountsOptions) {
    this.clock = options.clock;
    this.ttlMs = options.ttlMs ?? 30 * 60_000;
    this.maxKeys = Math.max(1, options.maxKeys ?? 2_000);
  }

  /** Records `count` for `key`; true when it is higher than the count remembered for it. */
  raise(key: string, count = 1): boolean {
    const now = this.clock.now();
    const known = this.counts.get(key);
    const previous = known && now - known.at < this.ttlMs ? known.count : 0;
    this.counts.delete(key); // re-inserted last: the map's order is least recently seen first
    this.counts.set(key, { count: Math.max(previous, count), at: now });
    for (const [oldest] of this.counts) {
      if (this.counts.size <= this.maxKeys) break;
      this.counts.delete(oldest);
    }
    return count > previous;
  }

  /** True the first time `key` is seen (again, after it was forgotten). */
  first(key: string): boolean {
    return this.raise(key, 1);
  }

  get size(): number {
    return this.counts.size;
  }
}
