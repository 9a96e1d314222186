/**
 * The step's countdown, read from the deadline every tick (never counted
 * down), with the time's-up note and the chime switch beside it.
 */
import { messages } from '../i18n/locale.ts';
import { formatRemaining } from '../i18n/format.ts';
import type { StudyModelInstance } from './model.ts';
import { muted } from './sound.ts';

/** The countdown of the step on screen; `big` while studying, when it is the point of the page. */
export function Countdown({ model, big }: { model: StudyModelInstance; big: boolean }) {
  const t = messages();
  const remaining = model.remaining.value;
  if (remaining === null) return null;
  const up = remaining <= 0;
  return (
    <div class={big ? 'countdown big' : 'countdown'}>
      <p class="time" role="timer" aria-label={t.timeLeft} data-testid="countdown">
        {formatRemaining(remaining)}
      </p>
      <p class="time-up-note" role="status" data-testid="time-up">
        {up ? t.timeUpNote : ''}
      </p>
      <label class="switch">
        <input
          type="checkbox"
          checked={!muted.value}
          onChange={(event) => (muted.value = !event.currentTarget.checked)}
          data-testid="sound-toggle"
        />
        {t.chime}
      </label>
    </div>
  );
}
