/** The privacy notice window's content: the school's text (policy), in paragraphs. */
import { DEFAULT_POLICY_SETTINGS, type PolicySettings } from '@vigil/shared';

export interface PrivacyNoticeContent {
  title: string;
  paragraphs: string[];
}

export function privacyNotice(settings: PolicySettings): PrivacyNoticeContent {
  const text = settings.privacyNotice?.trim() ? settings.privacyNotice : (DEFAULT_POLICY_SETTINGS.privacyNotice ?? '');
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s*\n\s*/g, ' ').trim())
    .filter((p) => p !== '');
  return { title: 'How this device is monitored', paragraphs };
}
