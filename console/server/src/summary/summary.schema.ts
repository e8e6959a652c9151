import { Type, type Static } from '@sinclair/typebox';

const Change = {
  count: Type.Integer(),
  lastWeek: Type.Integer(),
  /** Mean of the four weeks before this one, to one decimal place. */
  fourWeekAverage: Type.Number(),
  changeFromLastWeek: Type.Integer(),
  changeFromAverage: Type.Number(),
};

export const SeverityLineSchema = Type.Object({ severity: Type.Integer({ minimum: 1, maximum: 5 }), ...Change });
export const CategoryLineSchema = Type.Object({ category: Type.String(), ...Change });

export const InterestingCaptureSchema = Type.Object({
  id: Type.String(),
  capturedAt: Type.String(),
  severity: Type.Integer(),
  status: Type.String(),
  categories: Type.Array(Type.String()),
  /** The matched phrases only: never the surrounding context, the window title or the screenshot. */
  phrases: Type.Array(Type.String()),
  pupil: Type.String(),
  device: Type.String(),
  /** Opens the capture in the dashboard (a signed-in session is needed). */
  link: Type.String(),
});

export const RepeatedConcernSchema = Type.Object({
  pupil: Type.String(),
  captures: Type.Integer(),
  highestSeverity: Type.Integer(),
  categories: Type.Array(Type.String()),
});

export const SilentDeviceSchema = Type.Object({
  hostname: Type.String(),
  lastSeenAt: Type.Union([Type.String(), Type.Null()]),
  /** Whole hours since it last reported; null if it never did. */
  silentHours: Type.Union([Type.Integer(), Type.Null()]),
});

export const KeywordListChangeSchema = Type.Object({
  version: Type.String(),
  publishedAt: Type.String(),
  /** What the editor wrote when publishing (staff text, never captured text). */
  changelog: Type.Optional(Type.String()),
});

/** The weekly headline summary, as stored, shown in the dashboard and rendered into the email and PDF. */
export const SummaryDataSchema = Type.Object({
  schoolId: Type.String(),
  schoolName: Type.String(),
  week: Type.String({ description: 'ISO week, YYYY-Www' }),
  weekStart: Type.String({ description: 'Monday 00:00 Europe/London, as UTC' }),
  weekEnd: Type.String({ description: 'The next Monday 00:00 Europe/London, as UTC (exclusive)' }),
  builtAt: Type.String(),
  headline: Type.String(),
  total: Type.Object(Change),
  bySeverity: Type.Array(SeverityLineSchema),
  byCategory: Type.Array(CategoryLineSchema),
  ofInterest: Type.Array(InterestingCaptureSchema),
  repeatedConcerns: Type.Array(RepeatedConcernSchema),
  backlog: Type.Object({
    unreviewed: Type.Integer(),
    unreviewedBySeverity: Type.Record(Type.String(), Type.Integer()),
    oldestUnreviewedAt: Type.Union([Type.String(), Type.Null()]),
    oldestAgeHours: Type.Union([Type.Integer(), Type.Null()]),
  }),
  devicesNotReporting: Type.Array(SilentDeviceSchema),
  keywordListChanges: Type.Array(KeywordListChangeSchema),
  namesShown: Type.Boolean(),
});
export type SummaryData = Static<typeof SummaryDataSchema>;
