/**
 * The step's countdown, read from the deadline every tick (never counted
 * down), with the time's-up note and the chime and notification switches
 * beside it; and the tab title that carries the same time for when the tab
 * is in the back. Solo study and the live room both use these.
 */
import type { ReadonlySignal } from '@preact/signals';
import { formatRemaining } from '../i18n/format.ts';
import { messages } from '../i18n/locale.ts';
import { useTitle } from '../ui/title.ts';
import { canNotify, notifyBlocked, notifying, setNotifying } from './notify.ts';
import { muted } from './sound.ts';

/**
 * The countdown of the step on screen; `big` while studying, when it is the
 * point of the page. `timeUp` may say so before the local clock does (the
 * room's time-up event); without it, time is up at the deadline.
 */
export function Countdown(props: {
  remaining: ReadonlySignal<number | null>;
  timeUp?: ReadonlySignal<boolean | null> | undefined;
  big: boolean;
  /** What time's up means here; solo study's "move on when you are ready" by default. */
  upNote?: string | undefined;
}) {
  const { remaining, timeUp, big, upNote } = props;
  const t = messages();
  const left = remaining.value;
  if (left === null) return null;
  const up = timeUp ? Boolean(timeUp.value) : left <= 0;
  return (
    <div class={big ? 'countdown big' : 'countdown'}>
      <p class="time" role="timer" aria-label={t.timeLeft} data-testid="countdown">
        {formatRemaining(left)}
      </p>
      <p class="time-up-note" role="status" data-testid="time-up">
        {up ? (upNote ?? t.timeUpNote) : ''}
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
      {canNotify ? (
        <label class="switch">
          <input
            type="checkbox"
            checked={notifying.value}
            onChange={(event) => void setNotifying(event.currentTarget.checked)}
            data-testid="notify-toggle"
          />
          {t.notify}
        </label>
      ) : null}
      <p class="hint notify-status" role="status" data-testid="notify-status">
        {notifyBlocked.value ? t.notifyBlocked : ''}
      </p>
    </div>
  );
}

/** The tab title of a study: the time left, "Time's up", or `name` when there is no clock running. */
export function useStepTitle(
  name: () => string | null,
  remaining: ReadonlySignal<number | null>,
  timeUp: ReadonlySignal<boolean | null>,
): void {
  useTitle(() => {
    const up = timeUp.value;
    if (up === null) return name();
    return up ? messages().timeUpTitle : formatRemaining(remaining.value ?? 0);
  });
}
