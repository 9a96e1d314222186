/**
 * What a learner types reaches the room as a draft (API level 3), so a host
 * who moves on before they submit keeps it, marked as not submitted. A draft
 * goes once typing pauses, when a field loses focus or the page is hidden,
 * and never sooner than `DRAFT_GAP_MS` after the last: the room counts drafts
 * against its rate limit (`RATE_LIMIT`) with everything else the learner sends.
 */
import { effect, type ReadonlySignal, untracked } from '@preact/signals';
import { answerFor, type Draft, draftHasText, type RoomParticipant, type RoomState } from '../../shared/room.ts';
import type { DraftMessage } from '../../shared/room-client.ts';
import { draftValues } from '../drafts/store.ts';
import type { RoomDrafts } from './drafts.ts';

/** How long typing pauses before the draft goes. */
const DRAFT_QUIET_MS = 1_500;
/** The least time between two drafts: at most 5 of the 20 messages the room takes per 10 s. */
const DRAFT_GAP_MS = 2_000;

/** What the draft sync needs from the room page. */
export interface DraftSyncDeps {
  state: ReadonlySignal<RoomState | null>;
  self: ReadonlySignal<RoomParticipant | null>;
  drafts: RoomDrafts;
  /** Hands a draft to the room client (which keeps only the latest while the line is down). */
  send: (message: DraftMessage) => void;
}

/** Keeps the room told of this learner's drafts for as long as the model that calls it lives. */
export function syncDrafts(deps: DraftSyncDeps): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastAt = Number.NEGATIVE_INFINITY;
  /** The step and text of the draft that went last, so the same one never goes twice. */
  let last: string | null = null;

  /** The draft of the step on screen; null when the step asks for nothing, the answer is in, or nothing was typed yet. */
  const current = (): { key: string; message: DraftMessage } | null => {
    const s = deps.state.value;
    const kind = s ? answerFor(s.step) : null;
    const fields = deps.drafts.of(kind);
    if (!s || !fields || deps.self.value?.submitted) return null;
    const values = draftValues(fields);
    const draft = (kind === 'plan' ? { plan: values } : { retrospect: values }) as Draft;
    const step = `${s.step}:${s.cycle}:`;
    // Empty fields are worth sending only to take back text that went before.
    if (!draftHasText(draft) && !last?.startsWith(step)) return null;
    return { key: step + JSON.stringify(values), message: { type: 'draft', cycle: s.cycle, draft } };
  };

  /** Sends the draft if it changed; within the gap it waits, unless the page is going away (`now`). */
  const flush = (now = false) => {
    clearTimeout(timer);
    const next = untracked(current);
    if (!next || next.key === last) return;
    const wait = lastAt + DRAFT_GAP_MS - Date.now();
    if (wait > 0 && !now) {
      timer = setTimeout(flush, wait);
      return;
    }
    last = next.key;
    lastAt = Date.now();
    deps.send(next.message);
  };

  /** The draft typing last changed to: another room change (someone's presence) does not put it off. */
  let typed: string | null = null;
  effect(() => {
    const next = current();
    if ((next?.key ?? null) === typed) return;
    typed = next?.key ?? null;
    clearTimeout(timer);
    if (next && next.key !== last) timer = setTimeout(flush, DRAFT_QUIET_MS);
  });
  effect(() => {
    const blurred = () => flush();
    // Hidden comes before the page closes its line on `pagehide`: the last words still go.
    const hidden = () => {
      if (document.visibilityState === 'hidden') flush(true);
    };
    addEventListener('focusout', blurred);
    document.addEventListener('visibilitychange', hidden);
    return () => {
      clearTimeout(timer);
      removeEventListener('focusout', blurred);
      document.removeEventListener('visibilitychange', hidden);
    };
  });
}
