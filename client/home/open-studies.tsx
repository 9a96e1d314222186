/**
 * Home's "Studies in progress": the learner's own solo studies that are not
 * done, each to continue or to end, so an abandoned study does not sit at
 * "Time's up" for days. Loaded after Home renders (not on the welcome path);
 * shows nothing while there are none.
 */
import { createModel, signal, useModel } from '@preact/signals';
import { useRef } from 'preact/hooks';
import type { MyRecord } from '../../shared/api.ts';
import { createSubmission, type Submission } from '../forms/submission.ts';
import { messages } from '../i18n/locale.ts';
import type { Api } from '../net/api.ts';
import { Link } from '../router/link.tsx';
import { paths } from '../router/router.ts';
import { EndStudy } from '../study/end-study.tsx';
import { endSolo } from '../study/ending.ts';

/**
 * How many of the newest studies are looked through: the most one records
 * page gives. A study left open behind 50 newer ones is still in My records.
 */
const LOOK_BACK = 50;

/** The list and its actions. */
export const OpenStudiesModel = createModel((api: Api) => {
  /** Solo studies in progress, newest first. */
  const items = signal<MyRecord[]>([]);
  /** The name of the study just ended here, for the status line. */
  const ended = signal<string | null>(null);
  const endings = new Map<string, Submission>();
  const endingOf = (progressId: string): Submission => {
    const ending = endings.get(progressId) ?? createSubmission();
    endings.set(progressId, ending);
    return ending;
  };
  void api.myRecords({ limit: LOOK_BACK }).then((result) => {
    if (result.ok) items.value = result.data.items.filter((i) => i.study.mode === 'solo' && i.step !== 'done');
  });
  return {
    items,
    ended,
    /** The end request of one study. */
    endingOf,
    /** Ends `item` (keeping what was written) and takes it off the list. */
    async end(item: MyRecord): Promise<boolean> {
      const done = await endingOf(item.progressId).run('endStudyBody', {}, () => endSolo(api, item));
      if (!done) return false;
      items.value = items.value.filter((i) => i.progressId !== item.progressId);
      ended.value = item.study.name;
      return true;
    },
  };
});

/** The section, once there is something to show. */
export function OpenStudies({ api }: { api: Api }) {
  const model = useModel(() => new OpenStudiesModel(api));
  const heading = useRef<HTMLHeadingElement>(null);
  const t = messages();
  const items = model.items.value;
  const ended = model.ended.value;
  if (items.length === 0 && ended === null) return null;
  return (
    <section class="card" aria-labelledby="open-studies-heading" data-testid="open-studies">
      <h2 id="open-studies-heading" ref={heading} tabIndex={-1}>
        {t.openStudiesTitle}
      </h2>
      <p class="hint">{items.length > 0 ? t.openStudiesLead : ''}</p>
      <p class="notice-inline" role="status" data-testid="open-studies-status">
        {ended === null ? '' : t.studyEnded(ended)}
      </p>
      <ul class="records-list">
        {items.map((item) => (
          <li key={item.progressId} class="record" data-testid="open-study" data-study-id={item.study.id}>
            <h3>{item.study.name}</h3>
            <p class="meta">{t.cycleAndStep(item.cycle, t.stepNames[item.step])}</p>
            <div class="actions">
              <Link href={paths.study(item.study.id)} class="button primary">
                {t.continueStudy(item.study.name)}
              </Link>
              <EndStudy
                name={item.study.name}
                ending={model.endingOf(item.progressId)}
                end={async () => {
                  if (!(await model.end(item))) return false;
                  // The button that had focus is gone with its study: land on the list, where the status says what happened.
                  setTimeout(() => heading.current?.focus());
                  return true;
                }}
                testId={`end-${item.progressId}`}
              />
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
