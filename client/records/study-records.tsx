/** The record page of one study: every participant's plans and retrospects, cycle by cycle. */
import { useModel } from '@preact/signals';
import type { StudyRecords } from '../../shared/api.ts';
import { formatDateTime } from '../i18n/format.ts';
import { messages } from '../i18n/locale.ts';
import type { Api } from '../net/api.ts';
import { Link } from '../router/link.tsx';
import { navigations, paths, studyHref } from '../router/router.ts';
import { Answers } from '../study/answers.tsx';
import { ErrorAlert } from '../ui/alert.tsx';
import { Heading } from '../ui/heading.tsx';
import { useTitle } from '../ui/title.ts';
import { StudyRecordsModel } from './model.ts';

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
  return (
    <section class="card" aria-labelledby={headingId} data-testid="participant-record">
      <h2 id={headingId}>
        {p.nickname} {group && p.isHost ? <span class="badge">{t.host}</span> : null}
      </h2>
      <p class="meta">
        {p.step === 'done' ? t.allCyclesDone(totalCycles) : t.cycleAndStep(p.cycle, t.stepNames[p.step])}
      </p>
      {p.cycles.length === 0 ? <p class="hint">{t.noAnswersYet}</p> : null}
      {p.cycles.map((c) => (
        <article key={c.cycle} class="cycle" data-testid="cycle-record" data-cycle={c.cycle}>
          <h3>{t.cycleN(c.cycle)}</h3>
          <div class="cycle-grid">
            <div>
              <h4>{t.planHeading}</h4>
              {c.plan ? <Answers plan={c.plan} /> : <p class="hint">{t.notWritten}</p>}
            </div>
            <div>
              <h4>{t.retrospectHeading}</h4>
              {c.retrospect ? <Answers retrospect={c.retrospect} /> : <p class="hint">{t.notWritten}</p>}
            </div>
          </div>
        </article>
      ))}
    </section>
  );
}
