/** The questions of a cycle, in the order the forms ask them, where their drafts live, and how a filled form is sent. */
import type { ProgressView } from '../../shared/api.ts';
import type { Step } from '../../shared/domain.ts';

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

/** Where a learner's drafts for one step of one cycle live. */
export const draftPrefix = (at: Pick<ProgressView, 'progressId' | 'cycle'>, step: Step) =>
  `study.${at.progressId}.${at.cycle}.${step}.`;
