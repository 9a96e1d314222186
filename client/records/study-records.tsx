/** The record page of one study: every participant's plans and retrospects, cycle by cycle. */
import { useModel } from '@preact/signals';
import type { Plan, Retrospect, StudyRecords } from '../../shared/api.ts';
import { endedEarly } from '../../shared/study-end.ts';
import { formatDateTime } from '../i18n/format.ts';
import { messages } from '../i18n/locale.ts';
import type { Api } from '../net/api.ts';
import { Link } from '../router/link.tsx';
import { navigations, paths, studyHref } from '../router/router.ts';
import { Answers } from '../study/answers.tsx';
import { ErrorAlert } from '../ui/alert.tsx';
import { Heading } from '../ui/heading.tsx';
import { useTitle } from '../ui/title.ts';
import { StudyRecordsModel, unsubmitted } from './model.ts';

/** The record page for `studyId`. */
export function StudyRecordsPage({ api, studyId }: { api: Api; studyId: string }) {
  const model = useModel(() => new StudyRecordsModel(api, studyId));
  const t = messages();
  useTitle(() => {
    const name = model.records.value?.study.name;
    return name ? messages().recordsOf(name) : messages().recordsTitle;
  });
  const records = model.records.value;
  if (!records) {
    const error = model.error.value;
    return (
      <main id="main" class="page" data-testid="study-records-page">
        {error ? (
          <>
            <Heading level={1} focus>
              {t.recordsTitle}
            </Heading>
            <ErrorAlert code={error} testId="records-error" />
          </>
        ) : (
          <p class="loading" role="status">
            {t.loading}
          </p>
        )}
      </main>
    );
  }
  const { study, participants } = records;
  return (
    <main id="main" class="page records" data-testid="study-records-page">
      <p class="eyebrow">{t.recordsTitle}</p>
      <Heading level={1} focus={navigations.value > 0}>
        {study.name}
      </Heading>
      <p class="meta">
        {formatDateTime(study.createdAt)} · {study.mode === 'group' ? t.groupStudy : t.soloStudy} ·{' '}
        {t.cyclesOption(study.totalCycles)} · {t.minutesEach(study.minutesPerCycle)}
      </p>
      <p class="actions">
        <Link href={studyHref(study)}>{t.backToStudy}</Link>
        <Link href={paths.myRecords()}>{t.myRecords}</Link>
      </p>
      {participants.map((p) => (
        <ParticipantRecord
          key={p.progressId}
          participant={p}
          totalCycles={study.totalCycles}
          group={study.mode === 'group'}
        />
      ))}
    </main>
  );
}

/** A recorded answer; one the room kept from a draft says it was not submitted, and which questions it left empty. */
function Recorded(props: { plan: Plan } | { retrospect: Retrospect }) {
  const t = messages();
  if (!unsubmitted('plan' in props ? props.plan : props.retrospect)) return <Answers {...props} />;
  return (
    <div data-testid="unsubmitted">
      <p>
        <span class="badge unsubmitted">{t.notSubmitted}</span>
      </p>
      <Answers {...props} missing={t.notWritten} />
    </div>
  );
}

function ParticipantRecord({
  participant: p,
  totalCycles,
  group,
}: {
  participant: StudyRecords['participants'][number];
  totalCycles: number;
  /** Only a group study has a host worth naming. */
  group: boolean;
}) {
  const t = messages();
  const headingId = `participant-${p.progressId}`;
  const last = p.cycles.find((c) => c.cycle === totalCycles);
  const ended = !group && endedEarly(p, totalCycles, Boolean(last?.retrospect));
  // An answer is missing for good once the learner is past its step (or the study is done); until then, "yet".
  const missing = (cycle: number, answer: 'plan' | 'retrospect') =>
    p.step === 'done' || cycle < p.cycle || (answer === 'plan' && cycle === p.cycle && p.step !== 'planning')
      ? t.notWritten
      : t.notWrittenYet;
  return (
    <section class="card" aria-labelledby={headingId} data-testid="participant-record">
      <h2 id={headingId}>
        {p.nickname} {group && p.isHost ? <span class="badge">{t.host}</span> : null}
      </h2>
      <p class="meta">
        {ended
          ? t.endedIn(p.cycle, totalCycles)
          : p.step === 'done'
            ? t.allCyclesDone(totalCycles)
            : t.cycleAndStep(p.cycle, t.stepNames[p.step])}
      </p>
      {p.cycles.length === 0 ? <p class="hint">{p.step === 'done' ? t.noAnswers : t.noAnswersYet}</p> : null}
      {p.cycles.map((c) => (
        <article key={c.cycle} class="cycle" data-testid="cycle-record" data-cycle={c.cycle}>
          <h3>{t.cycleN(c.cycle)}</h3>
          <div class="cycle-grid">
            <div>
              <h4>{t.planHeading}</h4>
              {c.plan ? <Recorded plan={c.plan} /> : <p class="hint">{missing(c.cycle, 'plan')}</p>}
            </div>
            <div>
              <h4>{t.retrospectHeading}</h4>
              {c.retrospect ? (
                <Recorded retrospect={c.retrospect} />
              ) : (
                <p class="hint">{missing(c.cycle, 'retrospect')}</p>
              )}
            </div>
          </div>
        </article>
      ))}
    </section>
  );
}
