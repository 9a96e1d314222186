/**
 * Everyone in the room and what they are doing, live. The list itself is not
 * a live region (it would read out every change); the page announces the few
 * changes worth hearing in one polite status.
 */
import { messages } from '../i18n/locale.ts';
import type { RoomModelInstance } from './model.ts';
import { activityOf } from './state.ts';

/** The live participant list. */
export function RoomParticipants({ model }: { model: RoomModelInstance }) {
  const t = messages();
  const state = model.state.value;
  if (!state) return null;
  const me = model.me.value;
  const live = model.connection.value === 'live';
  return (
    <section class="card" aria-labelledby="participants-heading" data-testid="participants">
      <h2 id="participants-heading">{t.participants(state.participants.length)}</h2>
      <p class="hint">{t.roomParticipantsHint}</p>
      <ul class="people">
        {state.participants.map((p) => {
          // This device knows best whether its own learner is connected.
          const online = p.id === me ? live : p.online;
          const activity = activityOf(state.step, p);
          return (
            <li
              key={p.id}
              data-testid="participant"
              data-participant={p.nickname}
              data-activity={activity}
              data-online={String(online)}
            >
              <span class="name">{p.nickname}</span>
              {p.isHost ? <span class="badge">{t.host}</span> : null}
              {p.id === me ? <span class="badge you">{t.you}</span> : null}
              <span class={`where activity-${activity}`} data-testid="activity">
                {t.activity[activity]}
              </span>
              <span class={`presence ${online ? 'on' : 'off'}`} data-testid="presence">
                <span class="dot" aria-hidden="true" />
                {online ? t.online : t.offline}
              </span>
              {p.sharing && p.plan ? (
                <span class="shared-plan" data-testid="shared-plan">
                  {t.sharedPlan(p.plan.toDo, p.plan.completionCondition)}
                </span>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
