/**
 * The host's "not everyone has submitted" question, as a modal dialog. Who
 * is still writing comes from the room's live state, so the list shrinks
 * while the dialog is open and says so when everyone is in; what they have
 * typed so far is kept (marked as not submitted), and the dialog says so.
 */
import { messages } from '../i18n/locale.ts';
import { useModal } from '../ui/modal.ts';
import type { RoomModelInstance } from './model.ts';
import { missingOf } from './state.ts';

/** Opens while the model asks the host to confirm; Escape or "Keep waiting" cancels. */
export function ConfirmNext({ model }: { model: RoomModelInstance }) {
  const t = messages();
  const asked = model.confirming.value;
  const open = asked !== null;
  const dialog = useModal(open);
  const state = model.state.value;
  const missing = state ? missingOf(state) : [];
  return (
    <dialog
      ref={dialog}
      aria-labelledby="confirm-title"
      onClose={() => model.cancelNext()}
      data-testid="confirm-dialog"
    >
      <h2 id="confirm-title">{t.confirmTitle}</h2>
      {missing.length > 0 ? (
        <>
          <p>{t.confirmLead}</p>
          <ul class="missing" data-testid="missing">
            {missing.map((p) => (
              <li key={p.id}>
                {p.nickname}
                {p.id === model.me.value ? ` (${t.you})` : ''}
              </li>
            ))}
          </ul>
          <p class="hint" data-testid="drafts-kept-note">
            {t.confirmDraftsKept}
          </p>
        </>
      ) : (
        <p data-testid="everyone-submitted">{t.confirmEveryoneNow}</p>
      )}
      <p class="actions">
        <button type="button" class="primary" onClick={() => model.confirmNext()} data-testid="confirm-move-on">
          {missing.length > 0 ? t.confirmMoveOn : t.confirmMoveOnAll}
        </button>
        <button type="button" class="secondary" onClick={() => model.cancelNext()} data-testid="confirm-wait">
          {t.confirmWait}
        </button>
      </p>
    </dialog>
  );
}
