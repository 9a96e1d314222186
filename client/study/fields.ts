/** The questions of a cycle, in the order the forms ask them, and how a filled form is sent. */

/** Planning answers, in the order the form asks them. */
export const PLAN_FIELDS = [
  'toDo',
  'completionCondition',
  'expectedProbability',
  'expectedDifficulty',
  'whatCanYouDo',
] as const;
/** Retrospect answers, in the order the form asks them. */
export const RETROSPECT_FIELDS = ['doneAsExpected', 'experiencedDifficulty', 'lesson'] as const;

/** A form's text without its blank answers: optional answers left empty are not sent. */
export function answered(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value.trim() !== ''));
}
