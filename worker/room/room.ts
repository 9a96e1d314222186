/**
 * The room Durable Object (DESIGN §7): one per group study
 * (`idFromName(studyId)`), SQLite-backed, hibernatable WebSockets. It holds
 * the live state, broadcasts numbered events, and owes D1 every durable
 * change through an outbox in its own storage, so a D1 outage loses nothing.
 */
import { DurableObject } from 'cloudflare:workers';
import {
  type Answer,
  answerFor,
  CLOSE,
  clientMessageSchema,
  type Draft,
  HOST_GRACE_MS,
  LIMITS,
  MAX_CLIENT_MESSAGE_BYTES,
  MAX_SOCKETS_PER_PARTICIPANT,
  type Plan,
  parseSubprotocols,
  RATE_LIMIT,
  type RoomErrorCode,
  type RoomState,
  type RoomStep,
  type ServerMessage,
} from '../../shared/index.ts';
import { refusedByD1 } from '../db/errors.ts';
import { TelemetryRecorder, versionIdentity } from '../ops/telemetry.ts';
import {
  type Change,
  type HeldAnswer,
  handle,
  handOver,
  handoverAt,
  keptDrafts,
  type Persist,
  presenceOf,
  type ResumeMark,
  type RoomData,
  resumableFrom,
  roomDeadline,
  type StoredParticipant,
  snapshotOf,
  timeUp,
} from './model.ts';
import { persistAllToD1, persistToD1 } from './persist.ts';

/**
 * Counts socket closes by close code for the operator view and Analytics
 * Engine: one per isolate, shared by the rooms it hosts. A room knows no
 * client build, so it records closes only.
 */
export const closeTelemetry = new TelemetryRecorder({ build: { id: '', apiLevel: 0 } });

const ROOM_KEY = 'room';
/** The `ResumeMark`, written with every write of the room value. */
const RESUME_KEY = 'resume';
const OUTBOX_PREFIX = 'outbox:';
/** `answer:<participant id>:<plan|retrospect>`: the latest answer of each kind a participant has in (`HeldAnswer`). */
const ANSWER_PREFIX = 'answer:';
/** `draft:<participant id>`: what a participant last typed for the step on screen (`KeptDraft`). */
const DRAFT_PREFIX = 'draft:';
/** Owed writes D1 refused for good: kept here for ever, reported to D1 once, out of the outbox's way. */
const SET_ASIDE_PREFIX = 'setaside:';
/** Retry delays for D1 writes: quick at first, then at most a minute apart. */
const RETRY_MS = [1_000, 5_000, 15_000, 60_000] as const;
/**
 * How long writes owed by learners' messages gather before the alarm sends
 * them to D1 together: the message path only stores them, so a busy room
 * pays for one drain per window instead of one per message.
 */
const COALESCE_MS = 250;
/**
 * Presence changes (sockets opening and closing) gather and go out together
 * once none has come for this long: a storm of 1,000 (re)connects is a few
 * broadcasts instead of 1,000, and a learner sees a join or a drop a tenth of
 * a second later. The changes wait in memory: an object is evicted only after
 * seconds of quiet, far longer than this.
 */
const PRESENCE_MS = 100;
/**
 * The longest a window gathers while changes keep coming: 1 ms per open
 * socket, from PRESENCE_MS up to PRESENCE_MAX_MS. A window's event goes to
 * every socket, so in a storm a big room pays a send per socket per window;
 * a window as long as the room is big keeps that near a thousand sends a
 * second whatever its size (1,000 learners: one event a second, which
 * measured well under half the CPU of ten).
 */
const PRESENCE_MS_PER_SOCKET = 1;
const PRESENCE_MAX_MS = 1_000;
/**
 * The first API level whose pages read a window's presence changes as one
 * `presences` event, and `answer` and `shared` messages (drafts, own tabs,
 * shared plans); older pages get single `presence` events and none of those.
 */
const LEVEL_3 = 3;

/** Which answer an answer or draft is. */
function kindOf(answer: Answer | Draft): 'plan' | 'retrospect' {
  return 'plan' in answer ? 'plan' : 'retrospect';
}

/** The `answer` message that shows a learner's tabs what the room holds for them. */
function answerMessage(held: HeldAnswer): ServerMessage {
  return { type: 'answer', step: held.step, cycle: held.cycle, answer: held.answer, submitted: held.submitted };
}

/** A write owed to D1 as the outbox keeps it: when it was queued (for the operator view) and how often it failed. */
type OwedWrite = Persist & { queuedAt?: number; attempts?: number };

/** What the room still owes D1, for the operator view: how many writes, and since when. */
export interface OutboxStatus {
  owed: number;
  /** When the oldest owed write was queued; null with nothing owed (or only writes from before this was recorded). */
  oldestQueuedAt: number | null;
}

/** Per-socket identity, kept in the socket attachment so it survives hibernation. */
interface Attachment {
  participantId: string;
  /** When the socket was accepted: the oldest goes first past the per-participant cap. */
  connectedAt: number;
  /** Said `leave`: the room already marked them away, so the close that follows is not news. */
  left?: true;
  /** The API level the socket speaks (its subprotocol), for the close count; absent on sockets from before it was kept. */
  apiLevel?: number;
}

/** A participant's latest draft, for the step it was typed in. */
interface KeptDraft {
  step: RoomStep;
  cycle: number;
  draft: Draft;
}

/** The key of a participant's held answer of one kind. */
const answerKey = (participantId: string, kind: 'plan' | 'retrospect') => `${participantId}:${kind}`;

/** A participant's message count in the current rate window. */
interface RateWindow {
  start: number;
  count: number;
}

/** How the room was first opened by the worker (`POST /api/v2/studies`). */
export interface RoomInit {
  studyId: string;
  name: string;
  totalCycles: number;
  minutesPerCycle: number;
  code: string;
  host: { id: string; memberId: string; nickname: string };
}

/** A member's place in the room: their participant id and the room's state. */
export interface RoomView {
  participantId: string;
  state: RoomState;
}

/**
 * The answer to a join: the member's place, whether they were already in and
 * the nickname they are in under (rooms before 2.2 do not say it); or why not.
 */
export type JoinResult =
  | ({ ok: true; resumed: boolean; nickname?: string } & RoomView)
  | { ok: false; code: 'no_room' | 'study_started' | 'room_full' };

/** The API level of the subprotocol the worker chose for the socket; 0 when it named none. */
function levelOf(request: Request): number {
  return parseSubprotocols(request.headers.get('X-Haru-Protocol')).level ?? 0;
}

/** The subprotocol the door selected, echoed on the 101; none when it named none (an empty header would fail a browser's handshake). */
function protocolHeader(request: Request): Record<string, string> {
  const protocol = request.headers.get('X-Haru-Protocol');
  return protocol ? { 'Sec-WebSocket-Protocol': protocol } : {};
}

/** The room class; exported from the worker entry and bound as ROOM. */
export class Room extends DurableObject<Env> {
  private room: RoomData | null = null;
  private retryAt: number | null = null;
  /** When the gathered writes are due at D1 (room clock), set by the first write owed since the last drain. */
  private dueAt: number | null = null;
  /** Whether the outbox holds writes D1 has not confirmed; read from storage on start-up. */
  private owed = false;
  /** Writes an earlier life of the object still owed: the first message or connection delivers them. */
  private inherited = false;
  /**
   * The alarm as this life last set it (room clock; null: none), so a
   * commit that leaves it where it is writes nothing. Undefined: not known,
   * set on the next commit. A firing alarm clears it (see `alarm`).
   */
  private alarmAt: number | null | undefined;
  /** Each socket's attachment, read from the socket once per life instead of on every message. */
  private attachments = new WeakMap<WebSocket, Attachment>();
  /** The drain running now, so two wake-ups never send the same writes side by side. */
  private flushing: Promise<void> | null = null;
  /**
   * Rate windows per participant, across their sockets. In memory: an object
   * is evicted only after a quiet spell, which the window has outlasted.
   */
  private windows = new Map<string, RateWindow>();
  /** Participants who came or went in this window; the broadcast reads where each ended up from the sockets. */
  private presence = new Set<string>();
  /** When the gathered presence changes go out (room clock); null with none gathered. */
  private presenceDueAt: number | null = null;
  /**
   * The JSON a (re)connecting socket gets, built once for the event number it
   * was built at: every (re)connect of a storm sends the same text, the
   * snapshot's state or the resume's presence. Presence changes made since
   * are gathered and reach the new socket in the next `presences`.
   */
  private built: { seq: number; state?: string; presence?: string } | null = null;
  /**
   * The lowest `since` a returning socket may give to be answered with a
   * `resume`: every change after it was presence. Loaded from the stored
   * `ResumeMark` on start-up.
   */
  private resumeFrom = 0;
  /** Held answers by `answerKey`, mirrored from storage (loaded on start-up). */
  private answers = new Map<string, HeldAnswer>();
  /** Drafts by participant id, mirrored from storage (loaded on start-up). */
  private drafts = new Map<string, KeptDraft>();
  /** The clock; tests replace it to move through a cycle in no time. */
  now: () => number = Date.now;
  /** How long writes owed by learners' messages gather before they go to D1; tests lengthen it to watch them gather. */
  gatherMs = COALESCE_MS;
  /** How long presence changes gather after the last of them before they are broadcast; 0 sends each at once (tests that read one event per change). */
  presenceMs = PRESENCE_MS;
  /** How much longer a window may last per open socket, and at most (tests raise them to see a handful of sockets lengthen it). */
  presenceMsPerSocket = PRESENCE_MS_PER_SOCKET;
  presenceMaxMs = PRESENCE_MAX_MS;
  /** Sends the window's changes once `presenceMs` passed without another; the alarm at `presenceDueAt` is the backstop. */
  private presenceQuiet: ReturnType<typeof setTimeout> | null = null;
  /** Where owed writes go; tests replace it to make D1 fail for a while. */
  persist: (op: Persist) => Promise<void>;
  /** This code's version, as the `ResumeMark` records it. */
  private readonly version: string;

  /** `persist` as the constructor set it: while it is D1 itself, several owed writes go in one batch. */
  private readonly toD1: (op: Persist) => Promise<void>;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.toD1 = (op) => persistToD1(env.DB, op);
    this.version = versionIdentity(env.CF_VERSION_METADATA).id;
    this.persist = this.toD1;
    // Keep-alive pings are answered by the runtime without waking the room.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
    void ctx.blockConcurrencyWhile(async () => {
      const stored = await ctx.storage.get<RoomData | ResumeMark>([ROOM_KEY, RESUME_KEY]);
      this.room = (stored.get(ROOM_KEY) as RoomData | undefined) ?? null;
      const mark = stored.get(RESUME_KEY) as ResumeMark | undefined;
      this.resumeFrom = this.room ? resumableFrom(mark, this.room.seq, this.version) : 0;
      for (const [key, held] of await ctx.storage.list<HeldAnswer>({ prefix: ANSWER_PREFIX }))
        this.answers.set(key.slice(ANSWER_PREFIX.length), held);
      for (const [key, kept] of await ctx.storage.list<KeptDraft>({ prefix: DRAFT_PREFIX }))
        this.drafts.set(key.slice(DRAFT_PREFIX.length), kept);
      this.owed = (await ctx.storage.list({ prefix: OUTBOX_PREFIX, limit: 1 })).size > 0;
      this.inherited = this.owed;
    });
  }

  /** RPC: opens the room for a new group study, with its creator as host. Idempotent. */
  async open(init: RoomInit): Promise<RoomState> {
    if (!this.room) {
      const host: StoredParticipant = { ...init.host, joinedAt: this.now(), submittedFor: null };
      this.room = {
        studyId: init.studyId,
        name: init.name,
        totalCycles: init.totalCycles,
        minutesPerCycle: init.minutesPerCycle,
        code: init.code,
        step: 'waiting',
        cycle: 1,
        stepStartedAt: this.now(),
        hostId: host.id,
        participants: [host],
        seq: 0,
        hostOfflineSince: null,
        timeUpSent: false,
      };
      await this.commit({ ok: true, events: [], persist: [] });
    }
    return this.snapshot();
  }

  /** RPC: adds a learner while the room waits; a participant who is already in just resumes. */
  async join(member: { memberId: string; nickname: string; participantId: string }): Promise<JoinResult> {
    const room = this.room;
    if (!room) return { ok: false, code: 'no_room' };
    const existing = room.participants.find((p) => p.memberId === member.memberId);
    if (existing) {
      const { id: participantId, nickname } = existing;
      return { ok: true, resumed: true, participantId, nickname, state: this.snapshot() };
    }
    if (room.step !== 'waiting') return { ok: false, code: 'study_started' };
    if (room.participants.length >= LIMITS.roomParticipants.max) return { ok: false, code: 'room_full' };
    const participant: StoredParticipant = {
      id: member.participantId,
      memberId: member.memberId,
      nickname: member.nickname,
      joinedAt: this.now(),
      submittedFor: null,
    };
    room.participants.push(participant);
    await this.commit({
      ok: true,
      events: [
        {
          kind: 'joined',
          participant: {
            id: participant.id,
            nickname: participant.nickname,
            isHost: false,
            online: false,
            submitted: false,
          },
        },
      ],
      persist: [{ op: 'participant', participant, studyId: room.studyId, isHost: false }],
    });
    return {
      ok: true,
      resumed: false,
      participantId: participant.id,
      nickname: participant.nickname,
      state: this.snapshot(),
    };
  }

  /** RPC: the room as `memberId` sees it, for the study page's first paint; null if they are not in it. */
  async view(memberId: string): Promise<RoomView | null> {
    const participant = this.room?.participants.find((p) => p.memberId === memberId);
    return participant ? { participantId: participant.id, state: this.snapshot() } : null;
  }

  /** RPC: what this room still owes D1 (the operator view looks for outboxes that are not draining). */
  async outboxStatus(): Promise<OutboxStatus> {
    const owed = await this.ctx.storage.list<OwedWrite>({ prefix: OUTBOX_PREFIX });
    const times = [...owed.values()].map((op) => op.queuedAt).filter((t): t is number => t !== undefined);
    return { owed: owed.size, oldestQueuedAt: times.length > 0 ? Math.min(...times) : null };
  }

  /**
   * WebSocket upgrade, forwarded by the worker after it checked the token and
   * the API level; `X-Haru-Member` names the learner.
   */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('Upgrade') !== 'websocket')
      return new Response('Expected a WebSocket upgrade', { status: 426 });
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    const memberId = request.headers.get('X-Haru-Member');
    const participant = this.room?.participants.find((p) => p.memberId === memberId);
    if (!this.room || !participant) {
      // Browsers cannot read an HTTP status on a failed upgrade: accept, then close with a reason.
      server.accept();
      server.close(CLOSE.unauthorized, 'not a participant of this room');
      this.countClose(levelOf(request), CLOSE.unauthorized);
      return new Response(null, { status: 101, webSocket: client, headers: protocolHeader(request) });
    }
    // Read against the numbers given so far, before this connect's own presence takes one.
    const since = this.sinceOf(request);
    const mine = this.openSockets(participant.id);
    const wasOnline = mine.length > 0;
    // The oldest first; the new socket keeps them online, so no presence change.
    const byAge = mine.map((ws) => ({ ws, at: this.attachmentOf(ws).connectedAt })).sort((a, b) => a.at - b.at);
    for (const { ws } of byAge.slice(0, Math.max(0, mine.length + 1 - MAX_SOCKETS_PER_PARTICIPANT))) {
      ws.close(CLOSE.replaced, 'too many connections for one learner; the oldest was closed');
    }
    const attachment: Attachment = {
      participantId: participant.id,
      connectedAt: this.now(),
      apiLevel: levelOf(request),
    };
    this.ctx.acceptWebSocket(server, [participant.id]);
    this.attach(server, attachment);
    // A connection delivers whatever is owed now (an earlier life's writes, or a window still gathering).
    if (this.owed && !this.flushing) this.flushLater();
    this.inherited = false;
    if (participant.id === this.room.hostId && this.room.hostOfflineSince !== null) {
      // The host is back within the grace period: no handover is due any more.
      this.room.hostOfflineSince = null;
      await this.commit({ ok: true, events: [], persist: [] });
    }
    if (!wasOnline) await this.presenceChanged(participant.id);
    else await this.schedule();
    // Whether only presence changed after `since` is asked only now: a change may have come in meanwhile.
    const resume = since !== null && since >= this.resumeFrom;
    server.send(resume ? this.resumeText(participant.id) : this.snapshotText(participant.id));
    if (this.socketLevel(server) >= LEVEL_3) {
      const held = this.heldNow(participant.id);
      if (held) server.send(JSON.stringify(answerMessage(held)));
    }
    return new Response(null, { status: 101, webSocket: client, headers: protocolHeader(request) });
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const attachment = this.attachmentOf(ws);
    const now = this.now();
    if (!this.withinRate(attachment.participantId, now)) {
      ws.close(CLOSE.rateLimited, 'too many messages');
      return;
    }
    if (typeof data !== 'string')
      return this.refuse(ws, 'invalid_message', 'Messages are JSON text; binary frames are refused.');
    if (new TextEncoder().encode(data).length > MAX_CLIENT_MESSAGE_BYTES) {
      return this.refuse(ws, 'too_large', `Messages are limited to ${MAX_CLIENT_MESSAGE_BYTES} bytes.`);
    }
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return this.refuse(ws, 'invalid_message', 'Messages are JSON.');
    }
    const parsed = clientMessageSchema.safeParse(json);
    if (!parsed.success)
      return this.refuse(ws, 'invalid_message', parsed.error.issues[0]?.message ?? 'Not a message this room knows.');
    const room = this.room;
    if (!room) return this.refuse(ws, 'invalid_message', 'This room is not open.');
    this.drainIfOwed();
    const message = parsed.data;
    if (message.type === 'sync') return ws.send(this.snapshotText(attachment.participantId));
    if (message.type === 'leave') {
      this.attach(ws, { ...attachment, left: true });
      ws.close(1000, 'left');
      return this.wentAway(ws, attachment.participantId, true);
    }
    if (message.type === 'draft') return this.keepDraft(attachment.participantId, message.cycle, message.draft);
    if (message.type === 'share') return this.share(ws, attachment.participantId, message.on);
    const participantId = attachment.participantId;
    const from = { step: room.step, cycle: room.cycle };
    // Worked out on the step being left; used only if the host moves on anyway.
    const kept = message.type === 'advance' && message.confirm ? keptDrafts(room, this.drafts) : [];
    // No copy: `handle` decides everything before it changes anything, so a refusal leaves the room as it was.
    const outcome = handle(room, participantId, message, now);
    if (!outcome.ok) return this.refuse(ws, outcome.code, outcome.message, outcome.missing);
    const held: { participantId: string; held: HeldAnswer }[] = [...kept];
    if (message.type === 'submit' || message.type === 'retro') {
      const answer: Answer = message.type === 'submit' ? { plan: message.plan } : { retrospect: message.retrospect };
      held.push({ participantId, held: { ...from, answer, submitted: true } });
    }
    const moved = room.step !== from.step || room.cycle !== from.cycle;
    outcome.persist.push(...kept.map((k) => k.persist));
    const keyed = held.map((h) => [answerKey(h.participantId, kindOf(h.held.answer)), h.held] as const);
    // Its D1 writes gather in the outbox and go out together from the alarm.
    await this.commit(outcome, true, Object.fromEntries(keyed.map(([key, h]) => [ANSWER_PREFIX + key, h])));
    for (const [key, h] of keyed) this.answers.set(key, h);
    // Acknowledged only now: the answer is in this room's storage and owed to D1.
    if (outcome.ack) this.send(ws, { type: 'ack', id: outcome.ack });
    // Every tab of theirs shows what was saved; a kept draft tells its writer so.
    for (const h of held) this.sendOwn(h.participantId, answerMessage(h.held));
    if (moved) await this.dropDrafts();
  }

  /** Keeps what a learner typed for the step on screen; a draft for a step the room has left is dropped. */
  private async keepDraft(participantId: string, cycle: number, draft: Draft): Promise<void> {
    const room = this.room;
    if (!room || answerFor(room.step) !== kindOf(draft) || cycle !== room.cycle) return;
    const kept: KeptDraft = { step: room.step, cycle, draft };
    this.drafts.set(participantId, kept);
    await this.ctx.storage.put(DRAFT_PREFIX + participantId, kept);
  }

  /** Drafts are for one step: once the room moves on they are kept as answers or not at all. */
  private async dropDrafts(): Promise<void> {
    const keys = [...this.drafts.keys()].map((id) => DRAFT_PREFIX + id);
    this.drafts.clear();
    // storage.delete takes at most 128 keys at a time.
    for (let i = 0; i < keys.length; i += 128) await this.ctx.storage.delete(keys.slice(i, i + 128));
  }

  /** Turns sharing of a learner's plan on or off, and tells every level-3 page what it now shows of it. */
  private async share(ws: WebSocket, participantId: string, on: boolean): Promise<void> {
    const participant = this.room?.participants.find((p) => p.id === participantId);
    if (!participant) return this.refuse(ws, 'invalid_message', 'You are not in this room.');
    if (on) participant.sharing = true;
    else delete participant.sharing;
    // Not numbered: a page that was away for it cannot be brought up to date by a resume.
    if (this.room) this.resumeFrom = this.room.seq + 1;
    await this.commit({ ok: true, events: [], persist: [] });
    const plan = on ? this.planOf(participantId) : null;
    const text = JSON.stringify({ type: 'shared', participantId, sharing: on, plan } satisfies ServerMessage);
    for (const socket of this.openSockets()) if (this.socketLevel(socket) >= LEVEL_3) socket.send(text);
  }

  /** A participant's submitted plan of the current cycle, if any. */
  private planOf(participantId: string): Plan | null {
    const held = this.answers.get(answerKey(participantId, 'plan'));
    return held?.submitted && held.cycle === this.room?.cycle && 'plan' in held.answer
      ? (held.answer.plan as Plan)
      : null;
  }

  /** The answer a participant has in for the room's current step, if any. */
  private heldNow(participantId: string): HeldAnswer | null {
    const room = this.room;
    const kind = room ? answerFor(room.step) : null;
    const held = kind ? this.answers.get(answerKey(participantId, kind)) : undefined;
    return held && held.step === room?.step && held.cycle === room.cycle ? held : null;
  }

  /** Sends `message` to every level-3 socket of one participant (level-2 pages do not know it). */
  private sendOwn(participantId: string, message: ServerMessage): void {
    const text = JSON.stringify(message);
    for (const ws of this.openSockets(participantId)) if (this.socketLevel(ws) >= LEVEL_3) ws.send(text);
  }

  /** The API level a socket speaks (0 for sockets from before it was kept). */
  private socketLevel(ws: WebSocket): number {
    return this.attachmentOf(ws).apiLevel ?? 0;
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    // 1005/1006 are not codes a peer may send back: answer them with a plain 1000.
    ws.close(code === 1005 || code === 1006 ? 1000 : code, 'closing');
    const { participantId, left, apiLevel } = this.attachmentOf(ws);
    this.countClose(apiLevel ?? 0, code);
    if (!left) await this.wentAway(ws, participantId);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    const { participantId, left, apiLevel } = this.attachmentOf(ws);
    // An error ends the connection without a close frame: counted as dropped.
    this.countClose(apiLevel ?? 0, 1006);
    if (!left) await this.wentAway(ws, participantId);
  }

  /** Counts one socket close, off the message path (`waitUntil`). */
  private countClose(apiLevel: number, code: number): void {
    const waitUntil = (promise: Promise<unknown>) => this.ctx.waitUntil(promise);
    const event = {
      now: this.now(),
      version: versionIdentity(this.env.CF_VERSION_METADATA),
      apiLevel,
      kind: 'close',
      code,
    } as const;
    waitUntil(closeTelemetry.record({ env: this.env, waitUntil }, event));
  }

  /** Deadlines, host handover and D1 retries all come through here: no intervals. */
  override async alarm(): Promise<void> {
    // The alarm that fired is gone: the next schedule sets one whatever this life set before.
    this.alarmAt = undefined;
    const room = this.room;
    if (!room) return;
    const now = this.now();
    // Whatever woke the room, gathered presence goes out now: the window is a ceiling, not a floor.
    if (this.presence.size > 0) await this.sendPresence();
    const isOnline = (id: string) => this.isOnline(id);
    for (const outcome of [timeUp(room, now), handOver(room, now, isOnline)]) if (outcome) await this.commit(outcome);
    this.retryAt = null;
    await this.flush();
    await this.schedule();
  }

  /**
   * A participant's last socket is gone. A host who said `leave` hands the
   * role on at once; one who just dropped gets the grace period to come back.
   */
  private async wentAway(ws: WebSocket, participantId: string, left = false): Promise<void> {
    const room = this.room;
    if (!room || this.isOnline(participantId, ws)) return;
    if (this.owed) {
      // Writes still gathering go to D1 now: a room everyone may be leaving is not kept awake for them.
      await this.flush().catch((err: unknown) => this.flushStopped(err));
      // They may have come back while D1 answered.
      if (this.isOnline(participantId, ws)) return;
    }
    if (participantId === room.hostId) {
      // Stored, so the handover alarm survives a restart; a host who said `leave` hands the role on at once.
      room.hostOfflineSince = this.now() - (left ? HOST_GRACE_MS : 0);
      await this.commit({ ok: true, events: [], persist: [] });
    }
    await this.presenceChanged(participantId);
    const handed = left ? handOver(room, this.now(), (id) => this.isOnline(id, ws)) : null;
    if (handed) await this.commit(handed);
  }

  /** Notes that `participantId` came or went; the change goes out with the window's others (`sendPresence`). */
  private async presenceChanged(participantId: string): Promise<void> {
    this.presence.add(participantId);
    if (this.presenceMs <= 0) await this.sendPresence();
    else {
      this.presenceDueAt ??= this.now() + this.presenceWindow();
      // An in-memory timer, not the alarm: moving the alarm on every change would be a storage write per connect.
      if (this.presenceQuiet !== null) clearTimeout(this.presenceQuiet);
      this.presenceQuiet = setTimeout(() => {
        this.presenceQuiet = null;
        this.sendPresence()
          .then(() => this.schedule())
          .catch((err: unknown) => console.warn(`room ${this.room?.studyId}: presence left to the alarm`, err));
      }, this.presenceMs);
    }
    // Someone coming or going may make a handover due or moot.
    await this.schedule();
  }

  /** The longest the window starting now may gather: longer the more sockets its event will go to (PRESENCE_MS_PER_SOCKET). */
  private presenceWindow(): number {
    const bySize = Math.min(this.presenceMaxMs, this.ctx.getWebSockets().length * this.presenceMsPerSocket);
    return Math.max(this.presenceMs, bySize);
  }

  /**
   * Broadcasts the window's presence changes, each participant once as they
   * are now: one `presences` event to pages of level 3, the same changes as
   * single `presence` events to older pages, numbered alike (the batch takes
   * one number per change). The numbers are stored before anything is sent,
   * so a room woken from hibernation never reuses one.
   */
  private async sendPresence(): Promise<void> {
    const room = this.room;
    const changes = [...this.presence];
    this.presence.clear();
    this.presenceDueAt = null;
    if (this.presenceQuiet !== null) clearTimeout(this.presenceQuiet);
    this.presenceQuiet = null;
    // Even changes nobody is left to hear make the cached snapshot's online marks stale.
    if (changes.length > 0) this.built = null;
    const sockets = this.openSockets();
    if (!room || changes.length === 0 || sockets.length === 0) return;
    const online = new Set(sockets.map((ws) => this.attachmentOf(ws).participantId));
    const handover = handoverAt(
      room,
      [...online].some((id) => id !== room.hostId),
    );
    const first = room.seq + 1;
    room.seq += changes.length;
    await this.ctx.storage.put({ [ROOM_KEY]: room, [RESUME_KEY]: this.resumeMark(room) });
    // Built only if a level-2 page is there to read them.
    const single = () =>
      changes.map((participantId, i) =>
        JSON.stringify({
          type: 'event',
          seq: first + i,
          event: {
            kind: 'presence',
            participantId,
            online: online.has(participantId),
            ...(participantId === room.hostId ? { handoverAt: handover } : {}),
          },
        } satisfies ServerMessage),
      );
    let singles: string[] | null = null;
    const batch = JSON.stringify({
      type: 'event',
      seq: room.seq,
      event: {
        kind: 'presences',
        online: changes.filter((id) => online.has(id)),
        offline: changes.filter((id) => !online.has(id)),
        handoverAt: handover,
      },
    } satisfies ServerMessage);
    for (const ws of sockets) {
      try {
        if (this.socketLevel(ws) >= LEVEL_3) ws.send(batch);
        else {
          singles ??= single();
          for (const text of singles) ws.send(text);
        }
      } catch {
        // A socket that is closing gets its close event; nothing to do here.
      }
    }
  }

  /**
   * Stores the room and its owed writes together with the alarm that will
   * deliver them, in one atomic commit (no await in between: the platform
   * coalesces the writes), then broadcasts; the output gate holds sends, and
   * so every ack, until that commit is durable. A crash any time after the ack
   * still finds the writes and a wake-up for them. With `gather` (a learner's
   * message) the writes wait for the alarm, due `gatherMs` after the first of
   * them, and go to D1 with whatever else is owed by then; otherwise they are
   * flushed right after.
   */
  private async commit(outcome: Change, gather = false, extra: Record<string, unknown> = {}): Promise<void> {
    const room = this.room;
    if (!room) return;
    const messages: ServerMessage[] = outcome.events.map((event) => ({ type: 'event', seq: ++room.seq, event }));
    this.built = null;
    if (messages.length > 0) this.resumeFrom = room.seq;
    const entries: Record<string, unknown> = { ...extra, [ROOM_KEY]: room, [RESUME_KEY]: this.resumeMark(room) };
    const queuedAt = this.now();
    outcome.persist.forEach((op, i) => {
      const owed: OwedWrite = { ...op, queuedAt };
      entries[`${OUTBOX_PREFIX}${String(room.seq).padStart(10, '0')}:${i}:${crypto.randomUUID()}`] = owed;
    });
    if (outcome.persist.length > 0) {
      this.owed = true;
      this.dueAt ??= queuedAt + this.gatherMs;
    }
    const stored = this.ctx.storage.put(entries);
    const armed = this.schedule();
    await Promise.all([stored, armed]);
    for (const message of messages) this.broadcast(message);
    if (outcome.persist.length > 0 && !gather) this.flushLater();
  }

  /** After a restart the first message delivers what an earlier life still owed, without waiting for the alarm. */
  private drainIfOwed(): void {
    if (!this.inherited) return;
    this.inherited = false;
    if (this.owed && !this.flushing) this.flushLater();
  }

  /** A flush after the answer went out. One that dies with the object is not an error to report: the stored alarm delivers instead. */
  private flushLater(): void {
    this.ctx.waitUntil(this.flush().catch((err: unknown) => this.flushStopped(err)));
  }

  private flushStopped(err: unknown): void {
    console.warn(`room ${this.room?.studyId}: flush stopped, the alarm will deliver`, err);
  }

  /** Sends owed writes to D1 (one drain at a time; a call during a drain joins it). */
  private flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => (this.flushing = null));
    return this.flushing;
  }

  /**
   * Sends owed writes to D1 in order until none is left (writes committed
   * meanwhile included); on failure keeps them and retries from an alarm. A
   * write D1 refuses for good is set aside (kept, and reported) so it cannot
   * hold back the writes behind it.
   */
  private async drain(): Promise<void> {
    let delivered = false;
    for (;;) {
      const owed = await this.ctx.storage.list<OwedWrite>({ prefix: OUTBOX_PREFIX, limit: 100 });
      if (owed.size === 0) break;
      if (!(await this.deliver(owed))) return;
      delivered = true;
    }
    this.owed = false;
    this.retryAt = null;
    this.dueAt = null;
    // The delivery wake-up is not needed any more.
    if (delivered) await this.schedule();
  }

  /** Sends a batch of owed writes in order; false when D1 failed and a retry is scheduled. */
  private async deliver(owed: Map<string, OwedWrite>): Promise<boolean> {
    if (owed.size > 1 && this.persist === this.toD1) {
      try {
        // One round trip, all or none (a test that replaces `persist` sees each write go through it instead).
        await persistAllToD1(
          this.env.DB,
          [...owed.values()].map(({ queuedAt: _queuedAt, attempts: _attempts, ...op }) => op as Persist),
        );
        await this.ctx.storage.delete([...owed.keys()]);
        return true;
      } catch {
        // Refused or failed as a whole: one at a time below finds a write D1 refuses for good, or schedules the retry.
      }
    }
    /** Writes D1 has: removed from the outbox together once the batch stops (a write sent again after a crash is harmless: each is idempotent, and they go again in order). */
    const delivered: string[] = [];
    try {
      for (const [key, op] of owed) {
        try {
          await this.persist(op);
          delivered.push(key);
        } catch (err) {
          const reason = op.op === 'set_aside' ? null : refusedByD1(err);
          if (reason !== null) {
            await this.setAside(key, op, reason);
            continue;
          }
          const attempts = (op.attempts ?? 0) + 1;
          await this.ctx.storage.put(key, { ...op, attempts });
          // attempts is at least 1; anything else (a bad stored count) would get the first step.
          this.retryAt = this.now() + (RETRY_MS[Math.min(attempts, RETRY_MS.length) - 1] ?? RETRY_MS[0]);
          console.warn(`room ${this.room?.studyId}: D1 write failed (attempt ${attempts}), will retry`, err);
          await this.schedule();
          return false;
        }
      }
      return true;
    } finally {
      // A batch is at most 100 keys, within storage.delete's 128.
      if (delivered.length > 0) await this.ctx.storage.delete(delivered);
    }
  }

  /**
   * Moves a write D1 refused for good out of the outbox, and owes D1 a report
   * of it (the operator view counts them), in one atomic commit: a crash
   * leaves the write in one place or the other, never nowhere.
   */
  private async setAside(key: string, op: OwedWrite, error: string): Promise<void> {
    const { attempts: _attempts, queuedAt: _queuedAt, ...write } = op;
    const id = key.slice(OUTBOX_PREFIX.length);
    const report: Persist = {
      op: 'set_aside',
      studyId: this.room?.studyId ?? '',
      key: id,
      write,
      error,
      at: this.now(),
    };
    console.warn(`room ${report.studyId}: D1 refused a write for good, set aside`, error);
    // Not awaited in between: the platform commits both writes together (write coalescing).
    void this.ctx.storage.put({
      [`${SET_ASIDE_PREFIX}${id}`]: { write, error, at: report.at },
      [`${OUTBOX_PREFIX}${id}:report`]: { ...report, queuedAt: report.at } satisfies OwedWrite,
    });
    await this.ctx.storage.delete(key);
  }

  /**
   * One alarm for the earliest of: time up, host handover, D1 delivery. A
   * handover is due only while someone online could take the role: with
   * nobody there the room sleeps, and the next learner to connect reschedules
   * it (commit -> schedule), so an empty room costs no alarms at all. While
   * anything is owed to D1 a wake-up is always set: the retry's time, or
   * the gathering window's end (a flush right after a commit that does not
   * gather usually delivers first, and then clears it). The alarm is written
   * only when its time changes.
   */
  private schedule(): Promise<void> {
    const room = this.room;
    if (!room) return Promise.resolve();
    const deadline = room.timeUpSent ? null : roomDeadline(room);
    const handover = room.hostOfflineSince === null ? null : handoverAt(room, this.anyoneOnlineBut(room.hostId));
    const delivery = this.owed ? (this.retryAt ?? this.dueAt ?? this.now() + this.gatherMs) : null;
    const times = [deadline, handover, delivery, this.presenceDueAt].filter((t): t is number => t !== null);
    const at = times.length === 0 ? null : Math.min(...times);
    if (at === this.alarmAt) return Promise.resolve();
    this.alarmAt = at;
    if (at === null) return this.ctx.storage.deleteAlarm();
    // Alarms run on the platform's clock; the room's may be offset (tests), so convert.
    return this.ctx.storage.setAlarm(Date.now() + Math.max(0, at - this.now()));
  }

  private isOnline(participantId: string, except?: WebSocket): boolean {
    return this.openSockets(participantId).some((ws) => ws !== except);
  }

  private openSockets(participantId?: string): WebSocket[] {
    return this.ctx.getWebSockets(participantId).filter((ws) => ws.readyState === WebSocket.OPEN);
  }

  /** Whether a participant other than `participantId` has an open socket (one pass over the sockets, not one per participant). */
  private anyoneOnlineBut(participantId: string): boolean {
    return this.openSockets().some((ws) => this.attachmentOf(ws).participantId !== participantId);
  }

  /** A socket's attachment: from memory, or read from the socket once after a wake-up. */
  private attachmentOf(ws: WebSocket): Attachment {
    let attachment = this.attachments.get(ws);
    if (!attachment) {
      attachment = ws.deserializeAttachment() as Attachment;
      this.attachments.set(ws, attachment);
    }
    return attachment;
  }

  /** Sets a socket's attachment, on the socket (so hibernation keeps it) and in memory. */
  private attach(ws: WebSocket, attachment: Attachment): void {
    ws.serializeAttachment(attachment);
    this.attachments.set(ws, attachment);
  }

  /** Counts one message of `participantId`; false once they are over RATE_LIMIT in this window. */
  private withinRate(participantId: string, now: number): boolean {
    let window = this.windows.get(participantId);
    if (!window || now - window.start >= RATE_LIMIT.windowMs) {
      window = { start: now, count: 0 };
      this.windows.set(participantId, window);
    }
    window.count += 1;
    return window.count <= RATE_LIMIT.messages;
  }

  private snapshot(): RoomState {
    if (!this.room) throw new Error('room is not open');
    return snapshotOf(this.room, this.onlineNow(), (id) => this.planOf(id));
  }

  /** Whether a participant has a socket open now, as snapshots and resumes read it (one pass over the sockets). */
  private onlineNow(): (participantId: string) => boolean {
    const online = new Set(this.openSockets().map((ws) => this.attachmentOf(ws).participantId));
    return (id) => online.has(id);
  }

  private resumeMark(room: RoomData): ResumeMark {
    return { from: this.resumeFrom, seq: room.seq, version: this.version };
  }

  /** What a (re)connecting socket gets is built at most once per event number (see `built`). */
  private builtNow(): { seq: number; state?: string; presence?: string } {
    const seq = this.room?.seq ?? 0;
    if (this.built?.seq !== seq) this.built = { seq };
    return this.built;
  }

  /**
   * The event number a level-3 page that came back says its copy of the
   * room is at (the URL's `since`), if it is one the room has given; it gets
   * a `resume` if nothing but presence changed after it. Anything else (no
   * `since`, not a number, one not given yet, a level-2 page) gets the
   * snapshot, as a first connect does: the page always ends up with the room.
   */
  private sinceOf(request: Request): number | null {
    const since = new URL(request.url).searchParams.get('since');
    if (!this.room || since === null || !/^\d{1,15}$/.test(since) || levelOf(request) < LEVEL_3) return null;
    const seq = Number(since);
    return seq <= this.room.seq ? seq : null;
  }

  /** The `resume` message for `you`, as text; who is online is worked out once per event number, as the snapshot is. */
  private resumeText(you: string): string {
    const room = this.room;
    if (!room) throw new Error('room is not open');
    const built = this.builtNow();
    built.presence ??= JSON.stringify(presenceOf(room, this.onlineNow()));
    // The fields of a `resume` ServerMessage: the presence JSON's own (online, handoverAt) spliced in after `serverNow`.
    return `{"type":"resume","seq":${built.seq},"you":${JSON.stringify(you)},"serverNow":${this.now()},${built.presence.slice(1)}`;
  }

  /** The snapshot message for `you`, as text; the state's JSON is built once per event number. */
  private snapshotText(you: string): string {
    const built = this.builtNow();
    built.state ??= JSON.stringify(this.snapshot());
    // The same fields as a `snapshot` ServerMessage, with the state's JSON spliced in.
    return `{"type":"snapshot","seq":${built.seq},"you":${JSON.stringify(you)},"serverNow":${this.now()},"state":${built.state}}`;
  }

  private broadcast(message: ServerMessage): void {
    const text = JSON.stringify(message);
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.send(text);
      } catch {
        // A socket that is closing gets its close event; nothing to do here.
      }
    }
  }

  private send(ws: WebSocket, message: ServerMessage): void {
    ws.send(JSON.stringify(message));
  }

  private refuse(ws: WebSocket, code: RoomErrorCode, message: string, missing?: string[]): void {
    this.send(ws, { type: 'error', code, message, ...(missing ? { missing } : {}) });
  }
}
