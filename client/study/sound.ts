/**
 * The time's-up chime, made with the Web Audio API (no audio file to ship or
 * cache). Browsers only let a page make sound after the learner interacted
 * with it, so the audio context is unlocked on their first click or key.
 */
import { effect, type ReadonlySignal, signal } from '@preact/signals';
import { messages } from '../i18n/locale.ts';
import { notifyTimeUp } from './notify.ts';

const KEY = 'haru.muted';

/** True when the learner turned the chime off; remembered across visits. */
export const muted = signal(localStorage.getItem(KEY) === '1');
effect(() => {
  if (muted.value) localStorage.setItem(KEY, '1');
  else localStorage.removeItem(KEY);
});

let context: AudioContext | null = null;

/** Creates or resumes the audio context inside a user gesture, so a later chime may play. */
function unlock(): void {
  if (typeof AudioContext === 'undefined') return;
  context ??= new AudioContext();
  if (context.state === 'suspended') void context.resume();
}
for (const type of ['pointerdown', 'keydown'] as const)
  addEventListener(type, unlock, { capture: true, passive: true });

/** Two soft notes going down: noticeable, not alarming. Silent when muted or not unlocked. */
export function chime(): void {
  if (muted.value || !context || context.state !== 'running') return;
  const start = context.currentTime;
  for (const [offset, frequency] of [
    [0, 880],
    [0.28, 660],
  ] as const) {
    const osc = context.createOscillator();
    const gain = context.createGain();
    osc.type = 'sine';
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.25, start + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.5);
    osc.connect(gain).connect(context.destination);
    osc.start(start + offset);
    osc.stop(start + offset + 0.55);
  }
}

/**
 * Chimes once when `timeUp` turns true while the learner is here, and shows
 * the system notification if they opted in (notify.ts): not on a page opened
 * after the deadline, and never again for the same step (a step change turns
 * it false or null first). `name` is the study's, for the notification. Call
 * inside a model, whose disposal ends the watch.
 */
export function alertOnTimeUp(timeUp: ReadonlySignal<boolean | null>, name: () => string | null): void {
  let armed = false;
  effect(() => {
    const up = timeUp.value;
    if (up && armed) {
      chime();
      const t = messages();
      notifyTimeUp(`${t.timeUpTitle} · ${name() ?? t.appName}`, t.notifyBody);
    }
    armed = up === false;
  });
}
