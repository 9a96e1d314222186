/**
 * The live room of a group study: the lobby until the host
 * starts, then the step everyone is on, with everyone's progress live, the
 * line's state in view, and the host's controls. Loaded on first visit, so
 * solo learners never download it.
 */
import { useModel } from '@preact/signals';
import type { Catalog } from '../i18n/en.ts';
import { messages } from '../i18n/locale.ts';
import { navigations } from '../router/router.ts';
import { useStepTitle } from '../study/countdown.tsx';
import { Stepper } from '../study/stepper.tsx';
import { ErrorAlert } from '../ui/alert.tsx';
import { Heading } from '../ui/heading.tsx';
import { Unavailable } from '../ui/unavailable.tsx';
import { ConfirmNext } from './confirm.tsx';
import { HostStatus } from './host-status.tsx';
import { RoomInviteView } from './invite.tsx';
import { LeaveRoom } from './leave.tsx';
import { Lobby } from './lobby.tsx';
import { type Announcement, type RoomDeps, RoomModel, type RoomModelInstance } from './model.ts';
import { RoomParticipants } from './participants.tsx';
import { SharePlan } from './share-plan.tsx';
import { DraftKept, HostControls, RoomStep } from './steps.tsx';

/** The sentence for an announcement, in the current language. */
function announcementText(t: Catalog, a: Announcement): string {
  switch (a.kind) {
    case 'joined':
      return t.announce.joined(a.nickname);
    case 'submitted':
      return a.answer === 'plan' ? t.announce.submittedPlan(a.nickname) : t.announce.submittedRetrospect(a.nickname);
    case 'host':
      return a.you ? t.announce.youHost : t.announce.host(a.nickname);
    case 'lost':
      return a.answer === 'plan' ? t.announce.lostPlan(a.cycle) : t.announce.lostRetrospect(a.cycle);
  }
}

/** The line to the room as a small badge; a polite status, since it changes rarely. */
function Connection({ model }: { model: RoomModelInstance }) {
  const t = messages();
  const state = model.connection.value;
  return (
    <p class={`connection ${state}`} role="status" data-testid="connection" data-state={state}>
      <span class="dot" aria-hidden="true" />
      {t.connectionStates[state]}
    </p>
  );
}

/** The room page for `studyId`. Keyed by study, so another study gets a fresh model. */
export function RoomPage({ deps, studyId }: { deps: RoomDeps; studyId: string }) {
  const model = useModel(() => new RoomModel(deps, studyId));
  const t = messages();
  useStepTitle(() => model.state.value?.name ?? null, model.remaining, model.timeUp);

  const state = model.state.value;
  const refused = model.refused.value;
  const invite = model.invite.value;
  if (invite) return <RoomInviteView invite={invite} nickname={model.nickname()} />;
  if (!state || refused) {
    return (
      <Unavailable
        page="room"
        error={refused ?? model.loadError.value}
        onRetry={refused === 'replaced' ? model.resume : refused ? null : () => void model.load()}
      />
    );
  }

  const { step, cycle } = state;
  const timeUp = Boolean(model.timeUp.value);
  const announcement = model.announcement.value;
  return (
    <main
      id="main"
      class={`page study step-${step}${timeUp ? ' time-up' : ''}`}
      data-testid="room-page"
      data-step={step}
      data-cycle={cycle}
      data-time-up={String(timeUp)}
      data-room-time-up={String(model.roomTimeUp.value)}
      data-host={String(model.isHost.value)}
    >
      <header class="study-head">
        <p class="eyebrow">{t.liveGroupStudy}</p>
        <Heading level={1} focus={navigations.value > 0 && !model.moved.value} testId="study-name">
          {state.name}
        </Heading>
        <p class="meta">
          <span data-testid="study-cycle">
            {step === 'done' ? t.allCyclesDone(state.totalCycles) : t.cycleOf(cycle, state.totalCycles)}
          </span>
          {' · '}
          {t.minutesEach(state.minutesPerCycle)}
        </p>
        {step === 'waiting' || step === 'done' ? null : <Stepper step={step} />}
        <Connection model={model} />
        <HostStatus model={model} />
      </header>
      <p class="visually-hidden" role="status" data-testid="room-announcement">
        {announcement ? announcementText(t, announcement) : ''}
      </p>
      <ErrorAlert code={model.actionError.value} testId="room-action-error" />
      <DraftKept model={model} />
      {/* Who is here comes first, with the host's controls by it: on a phone both are in view without scrolling. */}
      <RoomParticipants model={model} />
      {step === 'done' ? null : <SharePlan model={model} />}
      {step === 'waiting' || step === 'done' ? null : <HostControls model={model} />}
      {step === 'waiting' ? <Lobby model={model} /> : <RoomStep key={`${step}-${cycle}`} model={model} />}
      {step === 'done' ? null : <LeaveRoom model={model} />}
      <ConfirmNext model={model} />
    </main>
  );
}
