/** Audit actions of summaries and the pupil directory (beside `summary.view`, `summary.pdf`). */
export const SUMMARY_AUDIT_ACTIONS = ['pupils.view', 'pupils.import'] as const;
