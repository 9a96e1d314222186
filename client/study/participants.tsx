/**
 * Who is in a group study made at API level 1 and where each of them is. It
 * has no live sync, so the list is as fresh as the last fetch: a refresh
 * button, and a re-fetch whenever the learner comes back to the tab.
 */
import { messages } from '../i18n/locale.ts';
import type { StudyModelInstance } from './model.ts';

/** The participant list of a group study. */
export function Participants({ model }: { model: StudyModelInstance }) {
  const t = messages();
  const page = model.page.value;
  if (!page) return null;
  return (
    <section class="card" aria-labelledby="participants-heading" data-testid="participants">
      <div class="section-head">
        <h2 id="participants-heading">{t.participants(page.participants.length)}</h2>
        <button
          type="button"
          class="secondary small"
          onClick={() => void model.load()}
          aria-busy={model.refreshing.value}
          data-testid="refresh-participants"
        >
          {t.refresh}
        </button>
      </div>
      <p class="hint">{t.participantsHint}</p>
      <ul class="people">
        {page.participants.map((p) => (
          <li key={p.progressId} data-testid="participant" data-step={p.step} data-cycle={p.cycle}>
            <span class="name">{p.nickname}</span>
            {p.isHost ? <span class="badge">{t.host}</span> : null}
            {p.progressId === page.me.progressId ? <span class="badge you">{t.you}</span> : null}
            <span class={`where step-${p.step}`}>
              {p.step === 'done' ? t.stepNames.done : t.cycleAndStep(p.cycle, t.stepNames[p.step])}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
