/**
 * A month of studies as a calendar grid: a table, so screen readers can move
 * by week and by weekday, with each study a link from the day it began.
 */
import type { MyRecord } from '../../shared/api.ts';
import { formatDate, formatMonth, weekdayNames } from '../i18n/format.ts';
import { messages } from '../i18n/locale.ts';
import { Link } from '../router/link.tsx';
import { now } from '../time/clock.ts';
import { ErrorAlert } from '../ui/alert.tsx';
import { type MyRecordsModel, recordHref } from './model.ts';

/** Local day key, so studies land on the day the learner saw them start. */
const dayKey = (epochMs: number) => {
  const d = new Date(epochMs);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
};

/** The weeks of the month starting at `start` (local midnight of the 1st): day timestamps, null for padding. */
function weeksOf(start: number): (number | null)[][] {
  const first = new Date(start);
  const days = new Date(first.getFullYear(), first.getMonth() + 1, 0).getDate();
  const cells: (number | null)[] = Array.from({ length: first.getDay() }, () => null);
  for (let day = 1; day <= days; day++) cells.push(new Date(first.getFullYear(), first.getMonth(), day).getTime());
  while (cells.length % 7) cells.push(null);
  return Array.from({ length: cells.length / 7 }, (_, week) => cells.slice(week * 7, week * 7 + 7));
}

/** The calendar view of "my records". */
export function Calendar({ model }: { model: InstanceType<typeof MyRecordsModel> }) {
  const t = messages();
  const month = model.month.value;
  const items = model.monthItems.value;
  const byDay = new Map<string, MyRecord[]>();
  for (const item of items ?? []) {
    const key = dayKey(item.study.createdAt);
    byDay.set(key, [...(byDay.get(key) ?? []), item]);
  }
  const weekdays = weekdayNames();
  const today = dayKey(now());
  return (
    <section aria-labelledby="calendar-month" data-testid="calendar">
      <div class="month-nav">
        <button
          type="button"
          class="secondary"
          onClick={() => model.moveMonth(-1)}
          aria-label={t.prevMonth}
          data-testid="prev-month"
        >
          ‹
        </button>
        <h2 id="calendar-month" aria-live="polite" data-testid="calendar-month">
          {formatMonth(month)}
        </h2>
        <button
          type="button"
          class="secondary"
          onClick={() => model.moveMonth(1)}
          aria-label={t.nextMonth}
          data-testid="next-month"
        >
          ›
        </button>
      </div>
      <ErrorAlert code={model.monthError.value} testId="calendar-error" />
      <p class="hint" role="status">
        {items === null && !model.monthError.value ? t.loading : items?.length === 0 ? t.noRecordsThisMonth : ''}
      </p>
      <table class="calendar">
        <thead>
          <tr>
            {weekdays.map((day) => (
              <th key={day.long} scope="col" abbr={day.long}>
                {day.short}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeksOf(month).map((week, w) => (
            <tr key={w}>
              {week.map((day, d) => {
                if (day === null) return <td key={d} class="pad" />;
                const key = dayKey(day);
                const studies = byDay.get(key) ?? [];
                return (
                  <td
                    key={d}
                    class={studies.length ? 'has-study' : undefined}
                    data-testid={studies.length ? 'calendar-day-with-study' : undefined}
                  >
                    <span class="day-number" aria-current={key === today ? 'date' : undefined}>
                      {new Date(day).getDate()}
                    </span>
                    {studies.map((item) => (
                      <Link
                        key={item.progressId}
                        href={recordHref(item)}
                        class="day-study"
                        aria-label={`${formatDate(day)}: ${item.study.name}`}
                      >
                        {item.study.name}
                      </Link>
                    ))}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
