// Shapes of the console's dashboard API (docs/DESIGN.md "Dashboard API as built" and API-CONTRACT).

export type Role = 'org_admin' | 'school_admin' | 'dsl' | 'deputy_dsl' | 'head' | 'viewer';
export type ReviewStatus = 'new' | 'reviewed' | 'false_positive' | 'escalated' | 'actioned';
export type CaptureSource = 'typed' | 'screen' | 'title' | 'url' | 'clipboard' | 'report' | 'test';

export const REVIEW_STATUSES: readonly ReviewStatus[] = ['new', 'reviewed', 'false_positive', 'escalated', 'actioned'];
export const CAPTURE_SOURCES: readonly CaptureSource[] = [
  'typed',
  'screen',
  'title',
  'url',
  'clipboard',
  'report',
  'test',
];
export const ROLES: readonly Role[] = ['org_admin', 'school_admin', 'dsl', 'deputy_dsl', 'head', 'viewer'];

export interface Me {
  user: {
    id: string;
    email: string;
    mustChangePassword: boolean;
    totpEnrolled: boolean;
    totpSetupRequired?: boolean;
  };
  grants: { role: Role; schoolId: string | null; organisationId: string | null }[];
  schools: { id: string; name: string; roles: Role[] }[];
  csrfToken: string;
  sessionExpiresAt: string;
  totpSetupRequired?: boolean;
}

export interface CaptureMatch {
  entryId: string;
  phrase: string;
  category: string;
  severity: number;
  start: number;
  end: number;
}

export interface CaptureGroupInfo {
  id: string;
  memberCount: number;
  pupilCount: number;
  firstAt: string;
  lastAt: string;
}

export interface Capture {
  id: string;
  schoolId: string;
  capturedAt: string;
  receivedAt: string;
  deviceId: string;
  user: string;
  source: CaptureSource;
  app: string;
  windowTitle: string;
  url: string | null;
  context: string;
  matches: CaptureMatch[];
  severity: number;
  count: number;
  status: ReviewStatus;
  assigneeId: string | null;
  hold: boolean;
  hasThumbnail: boolean;
  groupId?: string | null;
  group?: CaptureGroupInfo | null;
}

export interface CaptureDetail extends Capture {
  policyVersion: string;
  screenshot: { type: string; width: number; height: number };
  earlierCaptures: Capture[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface HistoryEntry {
  id: string;
  at: string;
  userId: string;
  userEmail: string | null;
  statusFrom: string | null;
  statusTo: string | null;
  assigneeFrom: string | null;
  assigneeTo: string | null;
  holdTo: boolean | null;
  note: string | null;
}

export interface KeywordStat {
  entryId: string;
  phrase: string;
  category: string;
  falsePositives: number;
  total: number;
}

export interface Device {
  id: string;
  schoolId: string;
  hostname: string;
  os: string;
  osVersion: string | null;
  agentVersion: string;
  policyVersion: string | null;
  queueDepth: number | null;
  user: string | null;
  enrolledAt: string;
  lastSeenAt: string | null;
  lastCaptureAt: string | null;
  revoked: boolean;
  revokedAt: string | null;
  reporting: boolean;
}

export interface MonitoredHours {
  days: number[];
  start: string;
  end: string;
}

export interface SchoolSettings {
  retentionDays: number;
  minSeverity: number | null;
  alertSeverity: number | null;
  monitoredHours: MonitoredHours[] | null;
  supportCard?: boolean;
  trayHidden?: boolean;
  privacyNotice?: string | null;
}

export interface AuditItem {
  id: string;
  at: string;
  action: string;
  outcome: 'success' | 'failure';
  actorUserId: string | null;
  actorLabel: string;
  organisationId: string | null;
  schoolId: string | null;
  targetId: string | null;
  ip: string | null;
  details: Record<string, string | number | boolean | null> | null;
}

export interface SchoolUser {
  id: string;
  email: string;
  displayName: string | null;
  roles: Role[];
  totpEnrolled: boolean;
  mustChangePassword: boolean;
  disabled: boolean;
  lockedUntil: string | null;
  lastSignInAt: string | null;
}

export interface Overview {
  from: string;
  to: string;
  days: { date: string; byCategory: Record<string, number>; total: number }[];
  severity: Record<string, number>;
  topCategories: { category: string; count: number }[];
  repeatedConcerns: { user: string; count: number; maxSeverity: number; lastAt: string }[];
  backlog: { unreviewed: number; oldestUnreviewedAt: string | null };
  devicesNotReporting: { id: string; hostname: string; user: string | null; lastSeenAt: string | null }[];
}

export type MatchMode = 'word' | 'substring' | 'prefix';

export interface ListEntry {
  id: string;
  phrase: string;
  category: string;
  severity: number;
  curatedSeverity: number | null;
  match: MatchMode;
  language: string | null;
  enabled: boolean;
  source: 'curated' | 'local';
  falsePositives: number;
}

export interface ListCategory {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  severity: number | null;
  entryCount: number;
}

export interface LocalPhrase {
  phrase: string;
  category: string;
  severity: number;
  match?: MatchMode;
  note?: string;
}

/** keyword-lists' PolicyOverrides without `settings`. */
export interface PolicyOverrides {
  disabledCategories?: string[];
  disabledEntries?: string[];
  severity?: Record<string, number>;
  localPhrases?: LocalPhrase[];
  exclusions?: string[];
}

export interface ListsState {
  published: {
    version: number;
    policyVersion: string;
    etag: string;
    publishedAt: string;
    publishedBy: string | null;
    changelog: string;
  } | null;
  draft: PolicyOverrides;
  draftChanged: boolean;
  categories: ListCategory[];
  entries: ListEntry[];
  exclusions: { phrase: string; source: 'curated' | 'local' }[];
}

export interface PreviewMatch {
  id: string;
  phrase: string;
  category: string;
  severity: number;
  start: number;
  end: number;
  text: string;
}

export interface ListVersion {
  version: number;
  policyVersion: string;
  publishedAt: string;
  publishedBy: string | null;
  changelog: string;
}

export type SendState = 'pending' | 'sending' | 'sent' | 'failed' | 'not_configured' | 'no_recipients';

export interface SummaryListItem {
  id: string;
  schoolId: string;
  week: string;
  builtAt: string;
  sendState: SendState;
}

export interface SummaryChange {
  count: number;
  lastWeek: number;
  fourWeekAverage: number;
  changeFromLastWeek: number;
  changeFromAverage: number;
}

export interface SummaryData {
  schoolId: string;
  schoolName: string;
  week: string;
  weekStart: string;
  weekEnd: string;
  builtAt: string;
  headline: string;
  total: SummaryChange;
  bySeverity: ({ severity: number } & SummaryChange)[];
  byCategory: ({ category: string } & SummaryChange)[];
  ofInterest: {
    id: string;
    capturedAt: string;
    severity: number;
    status: string;
    categories: string[];
    phrases: string[];
    pupil: string;
    device: string;
    link: string;
  }[];
  repeatedConcerns: { pupil: string; captures: number; highestSeverity: number; categories: string[] }[];
  backlog: { unreviewed: number; oldestUnreviewedAt: string | null; oldestAgeHours: number | null };
  devicesNotReporting: { hostname: string; lastSeenAt: string | null; silentHours: number | null }[];
  keywordListChanges: { version: string; publishedAt: string }[];
  namesShown: boolean;
}

export interface SummaryDetail extends SummaryListItem {
  data: SummaryData;
  html: string;
}

/** The per-school settings of the contract (GET/PUT /api/schools/:id/summary-settings). */
export interface SchoolSummarySettings {
  sendDay: string;
  sendTime: string;
  /** Who receives the weekly summary: holders of `summaryRoles`, then the extra addresses (role "extra"). */
  recipients: { email: string; role: string }[];
  /** Who receives immediate alerts and the daily digest, the same way. */
  alertRecipients?: { email: string; role: string }[];
  summaryRoles?: string[];
  alertRoles?: string[];
  summaryExtraEmails?: string[];
  alertExtraEmails?: string[];
  includeNames: boolean;
  alertSeverity: number;
  dailyDigest: boolean;
  emailConfigured: boolean;
}

export interface SummarySettings {
  emailConfigured: boolean;
  recipients: { schoolId: string; emails: string[] }[];
  schools: { schoolId: string; summaryTime: string; alertSeverity: number; dailyDigest: boolean; showNames: boolean }[];
}

export interface CaptureNewEvent {
  id: string;
  schoolId: string;
  severity: number;
  categories: string[];
  capturedAt: string;
}

export interface CaptureUpdatedEvent {
  id: string;
  schoolId: string;
  status: ReviewStatus;
  assigneeId: string | null;
  hold: boolean;
}

/** One pupil of the school's directory (`GET /api/schools/:id/pupils`). */
export interface Pupil {
  login: string;
  name: string;
  yearGroup: string | null;
}

export interface PupilDirectory {
  schoolId: string;
  count: number;
  pupils: Pupil[];
}
