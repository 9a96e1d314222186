/**
 * The opt-in system notification at time up, for a learner whose tab is in
 * the back (the chime and the page's colour serve one who is looking). The
 * browser is asked for permission only when the learner turns it on, never
 * on load. Part of the lazy study pages, so the first load never carries it.
 */
import { effect, signal } from '@preact/signals';

const KEY = 'haru.notify';

/** Whether this browser can show system notifications at all. */
export const canNotify = typeof Notification !== 'undefined';

/** True while the learner wants a notification and the browser allows one; remembered across visits. */
export const notifying = signal(
  canNotify && localStorage.getItem(KEY) === '1' && Notification.permission === 'granted',
);
/** True after the learner asked for notifications and the browser (or they, earlier) refused. */
export const notifyBlocked = signal(false);
effect(() => {
  if (notifying.value) localStorage.setItem(KEY, '1');
  else localStorage.removeItem(KEY);
});

/** Turns notifications on or off; on asks for permission (call it from the learner's press). */
export async function setNotifying(on: boolean): Promise<void> {
  notifyBlocked.value = false;
  if (!on || !canNotify) {
    notifying.value = false;
    return;
  }
  const permission =
    Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
  notifying.value = permission === 'granted';
  notifyBlocked.value = permission !== 'granted';
}

/** Shows the time's-up notification when the learner opted in; a click brings the tab back. */
export function notifyTimeUp(title: string, body: string): void {
  if (!notifying.value || Notification.permission !== 'granted') return;
  try {
    // One per tab: a later step's replaces an unread one.
    const note = new Notification(title, { body, tag: 'haru-time-up' });
    note.onclick = () => {
      window.focus();
      note.close();
    };
  } catch {
    // Some mobile browsers only notify through a service worker; the chime and the page still say it.
  }
}
