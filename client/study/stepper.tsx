/** The three steps of a cycle, the current one marked: solo and live studies show the same. */
import type { Step } from '../../shared/domain.ts';
import { messages } from '../i18n/locale.ts';

const STEPPER = ['planning', 'studying', 'retrospect'] as const;

/** The stepper; `step` is the one on screen (nothing is marked while waiting). */
export function Stepper({ step }: { step: Step | 'waiting' }) {
  const t = messages();
  return (
    <ol class="stepper" aria-label={t.stepsLabel}>
      {STEPPER.map((s) => (
        <li key={s} class={s === step ? 'current' : undefined} aria-current={s === step ? 'step' : undefined}>
          {t.stepNames[s]}
        </li>
      ))}
    </ol>
  );
}
