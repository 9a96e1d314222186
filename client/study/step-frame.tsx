/**
 * A step's frame: its heading (focused after a move, so keyboard and screen
 * reader users land on what changed), lead text and countdown. Solo study
 * and the live room frame their steps alike.
 */
import type { ReadonlySignal } from '@preact/signals';
import type { ComponentChildren } from 'preact';
import type { Step } from '../../shared/domain.ts';
import { messages } from '../i18n/locale.ts';
import { Heading } from '../ui/heading.tsx';
import { Countdown } from './countdown.tsx';

/** The frame of `step`'s view. */
export function StepFrame(props: {
  step: Step;
  /** The heading, when it is not the step's own title (a solo study ended early). */
  title?: string;
  lead: string;
  /** Whether the heading takes focus when it appears. */
  focus: boolean;
  remaining: ReadonlySignal<number | null>;
  timeUp?: ReadonlySignal<boolean | null>;
  /** The time's-up note, when it differs from solo study's. */
  upNote?: string;
  children: ComponentChildren;
}) {
  const { step, title, lead, focus, remaining, timeUp, upNote, children } = props;
  const t = messages();
  return (
    <section class="step card" aria-labelledby="step-heading" data-testid={`step-${step}`}>
      <Heading level={2} id="step-heading" focus={focus} testId="step-heading">
        {title ?? t.stepTitles[step]}
      </Heading>
      <p class="hint">{lead}</p>
      <Countdown remaining={remaining} timeUp={timeUp} upNote={upNote} big={step === 'studying'} />
      {children}
    </section>
  );
}
