/**
 * A live group study opened by someone not in it (a room link passed on):
 * while it waits, an offer to join under their nickname (through the invite
 * page, which joins and comes back here); once started, a plain "too late".
 */
import type { RoomInvite } from '../../shared/api.ts';
import { messages } from '../i18n/locale.ts';
import { Link } from '../router/link.tsx';
import { navigate, paths } from '../router/router.ts';
import { Heading } from '../ui/heading.tsx';

/** The whole `<main>` of a room page for a learner who is not in the room. */
export function RoomInviteView({ invite, nickname }: { invite: RoomInvite; nickname: string }) {
  const t = messages();
  return (
    <main id="main" class="page" data-testid="room-page" data-invite={invite.waiting ? 'waiting' : 'started'}>
      <p class="eyebrow">{t.liveGroupStudy}</p>
      <Heading level={1} focus testId="study-name">
        {invite.name}
      </Heading>
      {invite.waiting ? (
        <>
          <p data-testid="invite-lead">{t.inviteLead}</p>
          <p class="actions">
            <button
              type="button"
              class="primary"
              onClick={() => navigate(paths.join(invite.code), { replace: true })}
              data-testid="invite-join"
            >
              {t.joinAs(nickname)}
            </button>
            <Link href={paths.home()}>{t.backHome}</Link>
          </p>
        </>
      ) : (
        <>
          <p role="alert" data-testid="invite-started">
            {t.inviteStarted}
          </p>
          <p class="actions">
            <Link href={paths.home()}>{t.backHome}</Link>
          </p>
        </>
      )}
    </main>
  );
}
