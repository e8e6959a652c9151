/**
 * The support card: when the school's policy allows it, a serious capture (severity 4 or 5) in
 * the suicide, self-harm or eating-disorder categories shows the pupil where to get help now, at
 * most once an hour. Gentle and non-accusing: it never says what was seen.
 */
import type { PolicySettings } from '@vigil/shared';
import type { CapturedNotice } from './engine-port';

export const SUPPORT_CATEGORIES: ReadonlySet<string> = new Set(['suicide', 'self-harm', 'eating-disorders']);
export const SUPPORT_MIN_SEVERITY = 4;
export const SUPPORT_CARD_INTERVAL_MS = 60 * 60 * 1000;

export interface SupportContact {
  name: string;
  how: string;
  detail: string;
}

export interface SupportCardContent {
  title: string;
  paragraphs: string[];
  contacts: SupportContact[];
  closing: string;
}

export const SUPPORT_CARD: SupportCardContent = {
  title: 'You don’t have to deal with things on your own',
  paragraphs: [
    'Sometimes things online or in life can feel like a lot. If anything is worrying you or you are finding things hard, talking to someone can really help.',
    'A trusted adult, such as a teacher, your form tutor, a parent or carer, or anyone at school you feel comfortable with, is always a good place to start.',
  ],
  contacts: [
    { name: 'Childline', how: 'Call free, any time', detail: '0800 1111 (or chat online at childline.org.uk)' },
    { name: 'Samaritans', how: 'Call free, any time, day or night', detail: '116 123' },
    { name: 'Shout', how: 'Text, free, any time', detail: 'Text SHOUT to 85258' },
  ],
  closing: 'If you are in danger right now, call 999.',
};

/** Decides when the card shows; remembers when it last did. */
export class SupportCardGate {
  private lastShownAt: number | null;

  constructor(lastShownAt: number | null = null) {
    this.lastShownAt = lastShownAt;
  }

  /** True when this capture should show the card now (and records that it did). */
  consider(notice: CapturedNotice, settings: PolicySettings, now: number): boolean {
    if (settings.supportCard === false) return false;
    if (notice.source === 'report' || notice.source === 'test') return false;
    if (notice.maxSeverity < SUPPORT_MIN_SEVERITY) return false;
    if (!notice.categories.some((c) => SUPPORT_CATEGORIES.has(c))) return false;
    if (this.lastShownAt !== null && now - this.lastShownAt < SUPPORT_CARD_INTERVAL_MS && now >= this.lastShownAt) {
      return false;
    }
    this.lastShownAt = now;
    return true;
  }

  get lastShown(): number | null {
    return this.lastShownAt;
  }
}
