/**
 * The study page: where the learner plans, studies and looks back, cycle
 * after cycle. Its colour follows the step (and turns when time is up), and
 * the tab title carries the remaining time for when the tab is in the back.
 */
import { useModel } from '@preact/signals';
import { messages } from '../i18n/locale.ts';
import type { Api } from '../net/api.ts';
import { navigations } from '../router/router.ts';
import { Heading } from '../ui/heading.tsx';
import { Unavailable } from '../ui/unavailable.tsx';
import { useStepTitle } from './countdown.tsx';
import { EndStudy } from './end-study.tsx';
import { StudyModel } from './model.ts';
import { Participants } from './participants.tsx';
import { ShareCode } from './share-code.tsx';
import { Stepper } from './stepper.tsx';
import { StepView } from './steps.tsx';

/** Home's studies in progress load with this page, which their "Continue" opens (client/home/home.tsx). */
export { OpenStudies } from '../home/open-studies.tsx';

/** The study page for `studyId`. Keyed by study, so another study gets a fresh model. */
export function StudyPage({ api, studyId }: { api: Api; studyId: string }) {
  const model = useModel(() => new StudyModel(api, studyId));
  const t = messages();
  useStepTitle(() => model.page.value?.study.name ?? null, model.remaining, model.timeUp);

  const page = model.page.value;
  if (!page) return <Unavailable page="study" error={model.loadError.value} onRetry={() => void model.load()} />;

  const { study, me } = page;
  const stateClass = `step-${me.step}${model.timeUp.value ? ' time-up' : ''}`;
  return (
    <main
      id="main"
      class={`page study ${stateClass}`}
      data-testid="study-page"
      data-step={me.step}
      data-cycle={me.cycle}
      data-time-up={String(Boolean(model.timeUp.value))}
    >
      <header class="study-head">
        <p class="eyebrow">{study.mode === 'group' ? t.groupStudy : t.soloStudy}</p>
        <Heading level={1} focus={navigations.value > 0 && !model.moved.value} testId="study-name">
          {study.name}
        </Heading>
        <p class="meta">
          <span data-testid="study-cycle">
            {me.step === 'done' ? t.allCyclesDone(study.totalCycles) : t.cycleOf(me.cycle, study.totalCycles)}
          </span>
          {' · '}
          {t.minutesEach(study.minutesPerCycle)}
        </p>
        {me.step === 'done' ? null : <Stepper step={me.step} />}
        {study.code ? <ShareCode code={study.code} name={study.name} /> : null}
      </header>
      <p class="notice-inline" role="status" data-testid="study-status">
        {model.movedElsewhere.value ? t.movedElsewhere : ''}
      </p>
      <StepView key={`${me.step}-${me.cycle}`} model={model} />
      {study.mode === 'solo' && me.step !== 'done' ? (
        <div class="actions end-actions">
          <EndStudy name={study.name} ending={model.ending} end={model.end} />
        </div>
      ) : null}
      {study.mode === 'group' ? <Participants model={model} /> : null}
    </main>
  );
}
