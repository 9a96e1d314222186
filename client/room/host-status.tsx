/**
 * Why the group cannot move on while its host is offline, and when that
 * ends: the room hands the role on once the host has been away for its
 * grace period (`handoverAt`, on the room's clock, which the page follows
 * through `serverTimeNow`). Then who hosts now. Not a live region: the
 * countdown changes every second, and the page's announcement already
 * says who became host.
 */
import { messages } from '../i18n/locale.ts';
import { serverTimeNow } from '../time/clock.ts';
import type { RoomModelInstance } from './model.ts';

/** The line about the host (an offline host is news only to the others); nothing while there is nothing to say. */
export function HostStatus({ model }: { model: RoomModelInstance }) {
  const t = messages();
  const state = model.state.value;
  if (!state) return null;
  const me = model.me.value;
  const host = state.participants.find((p) => p.isHost);
  if (host && !host.online) {
    // The room picks the longest-present online participant, the first of the list (kept in joining order) online.
    const heir = state.participants.find((p) => !p.isHost && (p.id === me || p.online));
    const next = heir ? { nickname: heir.nickname, you: heir.id === me } : null;
    const at = state.handoverAt;
    const seconds = at == null ? null : Math.ceil((at - serverTimeNow()) / 1000);
    return (
      <p class="notice-inline" data-testid="host-status" data-state="away">
        {seconds === null
          ? t.hostAwayWaiting(host.nickname)
          : seconds > 0
            ? t.hostAway(host.nickname, seconds, next)
            : t.hostAwayDue(host.nickname)}
      </p>
    );
  }
  const handed = model.handedTo.value;
  if (!handed) return null;
  return (
    <p class="notice-inline" data-testid="host-status" data-state="handed">
      {handed.you ? t.announce.youHost : t.announce.host(handed.nickname)}
    </p>
  );
}
