/** Audit actions of the keyword-list editor, school policy settings, summary settings and capture groups. */
export const LISTS_AUDIT_ACTIONS = [
  'lists.draft_update',
  'lists.publish',
  'summary.settings_update',
  'capture_group.view',
] as const;
