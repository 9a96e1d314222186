/** The waiting room: the code to share, who is here, and the host's Start. */
import { messages } from '../i18n/locale.ts';
import { ShareCode } from '../study/share-code.tsx';
import type { RoomModelInstance } from './model.ts';

/** The lobby card. */
export function Lobby({ model }: { model: RoomModelInstance }) {
  const t = messages();
  const state = model.state.value;
  if (!state) return null;
  const host = model.isHost.value;
  return (
    <section class="step card" aria-labelledby="lobby-heading" data-testid="lobby">
      <h2 id="lobby-heading">{t.lobbyTitle}</h2>
      <p class="hint" data-testid="lobby-lead">
        {host ? t.lobbyHostLead : t.lobbyGuestLead}
      </p>
      <ShareCode code={state.code} name={state.name} />
      {host ? (
        <button
          type="button"
          class="primary"
          onClick={() => model.start()}
          aria-busy={model.starting.value}
          disabled={model.connection.value !== 'live'}
          data-testid="start-room"
        >
          {t.startRoom}
        </button>
      ) : null}
    </section>
  );
}
