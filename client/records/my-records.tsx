/** "My records": the learner's stats, and their studies over time as a list or as a month calendar. */
import { useModel } from '@preact/signals';
import { useRef } from 'preact/hooks';
import { endedEarly } from '../../shared/study-end.ts';
import { formatDateTime } from '../i18n/format.ts';
import { messages } from '../i18n/locale.ts';
import type { Api } from '../net/api.ts';
import { Link } from '../router/link.tsx';
import { navigations, paths } from '../router/router.ts';
import { ErrorAlert } from '../ui/alert.tsx';
import { Heading } from '../ui/heading.tsx';
import { useTitle } from '../ui/title.ts';
import { Calendar } from './calendar.tsx';
import { MyRecordsModel, recordHref } from './model.ts';

type Model = InstanceType<typeof MyRecordsModel>;

/** The "my records" page. */
export function MyRecordsPage({ api }: { api: Api }) {
  const model = useModel(() => new MyRecordsModel(api));
  const t = messages();
  useTitle(() => messages().myRecords);
  const view = model.view.value;
  return (
    <main id="main" class="page" data-testid="my-records-page">
      <Heading level={1} focus={navigations.value > 0}>
        {t.myRecords}
      </Heading>
      <Stats model={model} />
      <fieldset class="toggle">
        <legend class="visually-hidden">{t.recordsView}</legend>
        {(['list', 'calendar'] as const).map((option) => (
          <button
            key={option}
            type="button"
            aria-pressed={view === option}
            onClick={() => model.show(option)}
            data-testid={`view-${option}`}
          >
            {option === 'list' ? t.listView : t.calendarView}
          </button>
        ))}
      </fieldset>
      {view === 'list' ? <RecordList model={model} /> : <Calendar model={model} />}
    </main>
  );
}

/** "My stats": three numbers, once the whole history is counted (records/stats.ts says how). */
function Stats({ model }: { model: Model }) {
  const t = messages();
  const stats = model.stats.value;
  if (!stats) return null;
  const items = [
    ['focus', t.statFocus, t.focusTime(stats.focusMinutes)],
    ['week', t.statWeek, String(stats.thisWeek)],
    ['streak', t.statStreak, t.streakDays(stats.streak)],
  ] as const;
  return (
    <section class="card stats" aria-labelledby="stats-heading" data-testid="my-stats">
      <h2 id="stats-heading">{t.statsTitle}</h2>
      <dl class="stats-grid">
        {items.map(([key, label, value]) => (
          <div key={key} data-testid={`stat-${key}`}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <p class="hint">{t.statsHint}</p>
    </section>
  );
}

function RecordList({ model }: { model: Model }) {
  const t = messages();
  const items = model.items.value;
  const list = useRef<HTMLUListElement>(null);
  // The button may vanish with the last page, so focus moves to the first record it brought.
  const loadMore = async () => {
    const shown = items.length;
    await model.loadMore();
    setTimeout(() => list.current?.querySelectorAll('li')[shown]?.querySelector('a')?.focus());
  };
  return (
    <section aria-label={t.listView} data-testid="record-list">
      {model.listLoaded.value && items.length === 0 && !model.listError.value ? (
        <p class="empty">
          {t.noRecords} <Link href={paths.home()}>{t.newStudy}</Link>
        </p>
      ) : null}
      <ul class="records-list" ref={list}>
        {items.map((item) => (
          <li key={item.progressId} class="card record" data-testid="record-item" data-study-id={item.study.id}>
            <h2>
              <Link href={recordHref(item)}>{item.study.name}</Link>
            </h2>
            <p class="meta">
              {formatDateTime(item.study.createdAt)} · {item.study.mode === 'group' ? t.groupStudy : t.soloStudy} ·{' '}
              <span class={`where step-${item.step}`}>
                {item.study.mode === 'solo' && endedEarly(item, item.study.totalCycles)
                  ? t.endedIn(item.cycle, item.study.totalCycles)
                  : item.step === 'done'
                    ? t.allCyclesDone(item.study.totalCycles)
                    : t.cycleAndStep(item.cycle, t.stepNames[item.step])}
              </span>
            </p>
            {item.step === 'done' ? null : (
              <p class="actions">
                <Link href={paths.studyRecords(item.study.id)}>{t.seeRecords}</Link>
              </p>
            )}
          </li>
        ))}
      </ul>
      <ErrorAlert code={model.listError.value} testId="record-list-error" />
      <p class="hint" role="status">
        {model.listLoading.value ? t.loading : ''}
      </p>
      {model.nextCursor.value ? (
        <button
          type="button"
          class="secondary"
          onClick={() => void loadMore()}
          aria-busy={model.listLoading.value}
          data-testid="load-more"
        >
          {t.loadMore}
        </button>
      ) : null}
    </section>
  );
}
