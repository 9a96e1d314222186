/**
 * Leaving a live room on purpose: a button, and a modal dialog that says
 * what happens (a host hands the role on at once; everyone can come back).
 */
import { useSignal } from '@preact/signals';
import { messages } from '../i18n/locale.ts';
import { useModal } from '../ui/modal.ts';
import type { RoomModelInstance } from './model.ts';

/** The Leave button and its confirm; Escape or "Stay" keeps the learner in the room. */
export function LeaveRoom({ model }: { model: RoomModelInstance }) {
  const t = messages();
  const asking = useSignal(false);
  const open = asking.value;
  const dialog = useModal(open);
  return (
    <>
      <p class="actions leave">
        <button type="button" class="secondary" onClick={() => (asking.value = true)} data-testid="leave-room">
          {t.leaveRoom}
        </button>
      </p>
      <dialog
        ref={dialog}
        aria-labelledby="leave-title"
        onClose={() => (asking.value = false)}
        data-testid="leave-dialog"
      >
        <h2 id="leave-title">{t.leaveTitle}</h2>
        {model.isHost.value ? <p data-testid="leave-host-lead">{t.leaveHostLead}</p> : null}
        <p>{t.leaveLead}</p>
        <p class="actions">
          <button type="button" class="primary" onClick={() => model.leave()} data-testid="leave-confirm">
            {t.leaveConfirm}
          </button>
          <button type="button" class="secondary" onClick={() => (asking.value = false)} data-testid="leave-cancel">
            {t.leaveCancel}
          </button>
        </p>
      </dialog>
    </>
  );
}
