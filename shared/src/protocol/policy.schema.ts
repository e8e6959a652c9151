import { Type, type Static } from '@sinclair/typebox';
import { MatchModeSchema } from './capture.schema';
import { SeveritySchema } from './common.schema';

export const KeywordEntrySchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 200 }),
    phrase: Type.String({ minLength: 1, maxLength: 500 }),
    category: Type.String({ minLength: 1, maxLength: 100 }),
    severity: SeveritySchema,
    match: MatchModeSchema,
  },
  { additionalProperties: false },
);
export type KeywordEntry = Static<typeof KeywordEntrySchema>;

const ClockTimeSchema = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'HH:MM, Europe/London' });

/** A weekly window in which devices are monitored, in school (Europe/London) time. */
export const MonitoredHoursSchema = Type.Object(
  {
    days: Type.Array(Type.Integer({ minimum: 0, maximum: 6, description: '0 Sunday … 6 Saturday' }), {
      minItems: 1,
      maxItems: 7,
    }),
    start: ClockTimeSchema,
    end: ClockTimeSchema,
  },
  { additionalProperties: false },
);
export type MonitoredHours = Static<typeof MonitoredHoursSchema>;

export const PolicySettingsSchema = Type.Object({
  /** Matches below this severity are counted on the device, not captured. */
  minSeverity: SeveritySchema,
  /** The same phrase in the same window within this many seconds adds to a count, not a new capture. */
  throttleSeconds: Type.Integer({ minimum: 0, maximum: 86400 }),
  heartbeatSeconds: Type.Integer({ minimum: 5, maximum: 86400 }),
  /** When devices are monitored; null means always. */
  monitoredHours: Type.Union([Type.Array(MonitoredHoursSchema, { maxItems: 50 }), Type.Null()]),
  /** At most one OCR of the screen per this many seconds (the CPU budget). */
  ocrIntervalSeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
  /** Size cap of the device's offline queue. */
  maxQueueMegabytes: Type.Integer({ minimum: 10, maximum: 100_000 }),
  /**
   * The tray shell (optional so that a policy saved by an older console still loads; absent means
   * the default below). Show the support card (where to get help now) after a severity >= 4
   * capture in the suicide, self-harm or eating-disorder categories, at most once an hour.
   */
  supportCard: Type.Optional(Type.Boolean()),
  /** Hide the tray icon (staff machines). Monitoring goes on either way. */
  trayHidden: Type.Optional(Type.Boolean()),
  /** The privacy notice the tray shows, set by the school (plain text, paragraphs split by blank lines). */
  privacyNotice: Type.Optional(Type.String({ maxLength: 20_000 })),
});
export type PolicySettings = Static<typeof PolicySettingsSchema>;

/** What a school gets until it changes anything: severity 1 is counted, not captured; always monitored. */
export const DEFAULT_POLICY_SETTINGS: PolicySettings = {
  minSeverity: 2,
  throttleSeconds: 60,
  heartbeatSeconds: 300,
  monitoredHours: null,
  ocrIntervalSeconds: 5,
  maxQueueMegabytes: 500,
  supportCard: true,
  trayHidden: false,
  privacyNotice:
    'This device is monitored for safeguarding by your school. When something typed or shown on screen ' +
    'matches a list of words that can mean a child is at risk, a screenshot is taken and sent to the ' +
    "school's Designated Safeguarding Lead, who reviews it. Nothing else you type is kept or sent.\n\n" +
    'If something online has worried you, use "Report a concern" in this menu, or talk to a trusted adult.',
};

export const PolicySchema = Type.Object({
  version: Type.String({ minLength: 1, maxLength: 100 }),
  keywords: Type.Array(KeywordEntrySchema),
  exclusions: Type.Array(Type.String({ minLength: 1, maxLength: 500 })),
  settings: PolicySettingsSchema,
});
export type Policy = Static<typeof PolicySchema>;
