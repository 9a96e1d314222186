/**
 * Scripted learners for the rehearsal: they speak the app's wire protocol
 * over real HTTP and WebSockets the way its clients do (DESIGN §4, docs/api.md),
 * through the router, and count what they tried, what failed and what the
 * app acknowledged.
 *
 * - A page load (`GET /` and `/api/version` with the learner's version key)
 *   decides which client the learner runs: the build of the version that
 *   served it, at that build's API level.
 * - A compat answer (409 + `X-Haru-Compat: reload`, or close 4409) is a
 *   notice: the learner reloads and sends the same action again, as the
 *   client keeps its drafts.
 * - Every plan and retrospect carries a unique text (a nonce), so the run can
 *   look for it in D1 afterwards.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CLOSE,
  type ClientMessage,
  COMPAT,
  type Plan,
  type Retrospect,
  type RoomState,
  subprotocolFor,
  TOKEN_SUBPROTOCOL,
} from '../../shared/index.ts';
import { type CloseVerdict, createRoomClient, type RoomClient, roomSocketPath } from '../../shared/room-client.ts';
import { CLIENT_ADDRESS_HEADER, madeUpAddress } from '../lib/client-address.ts';
import { noteFailure, type Pairing, type StepStats, type Submission } from './report.ts';

/** What the learners report to and ask of the run. */
export interface Run {
  base: string;
  /** The stats of the step that is live now. */
  step(): StepStats;
  /** The stats of the step the router's deployment `number` began (undefined for one not begun here). */
  stepOfDeployment(number: number): StepStats | undefined;
  /** Index of the live step (for attributing submissions). */
  stepIndex(): number;
  /** An answer the app acknowledged (counted in the step it was sent in). */
  submitted(submission: Submission): void;
  stopping(): boolean;
  /** A unique text for an answer. */
  nonce(): string;
}

/** An HTTP answer as a learner sees it. */
interface Answer {
  status: number;
  body: Record<string, unknown> | null;
  compat: boolean;
  /** Which worker version called which room object version, as the router says (`no room`: the call named none). */
  pairing: Pairing;
}

/** How long one HTTP call may take before it counts as failed. */
const CALL_TIMEOUT_MS = 15_000;
/** How long a room learner waits for an ack or a step before giving up on the action. */
const ROOM_WAIT_MS = 20_000;

/** The close code of a room socket whose worker or room object failed (the router's relay turns a dropped one, 1006, into it). */
const WORKER_FAILED = 1011;

/** A `worker>object` pairing the router named, or `no room` for anything else. */
function pairingOf(text: string): Pairing {
  return /^(old|new)>(old|new)$/.test(text) ? (text as Pairing) : 'no room';
}

/** A short random pause between a learner's actions, so actions spread over the steps. */
const think = () => sleep(100 + Math.random() * 300);
/** Hosts take longer: a room is mid-study most of the time, so a deployment step meets live sockets. */
const ponder = () => sleep(400 + Math.random() * 800);

/** The learner's loaded page: which client (build, API level) it runs, and its guest token. */
export class Page {
  build = '';
  level = 0;
  token: string | null = null;
  readonly key = randomUUID();
  /** Each learner comes from a network of their own, as the worker's per-address limits expect of real traffic. */
  readonly address = madeUpAddress();
  readonly run: Run;
  readonly kind: 'solo' | 'group';

  constructor(run: Run, kind: 'solo' | 'group') {
    this.run = run;
    this.kind = kind;
  }

  /** Loads (or reloads) the app: the version that serves `/` decides the client (its build and API level). */
  async load(): Promise<Answer> {
    const page = await this.fetch('GET', '/', undefined, false);
    if (page.status !== 200) return page;
    const version = await this.fetch('GET', '/api/version', undefined, false);
    const body = version.body as { build?: string; apiLevel?: number } | null;
    if (version.status !== 200 || !body?.build || !body.apiLevel) return version;
    this.build = body.build;
    this.level = body.apiLevel;
    return version;
  }

  /** One call as the client makes it: its build, level, version key and token. */
  call(method: string, path: string, body?: unknown): Promise<Answer> {
    return this.fetch(method, path, body, true);
  }

  private async fetch(method: string, path: string, body: unknown, client: boolean): Promise<Answer> {
    const headers: Record<string, string> = {
      [COMPAT.versionKeyHeader]: this.key,
      [CLIENT_ADDRESS_HEADER]: this.address,
    };
    if (client) {
      headers[COMPAT.buildHeader] = this.build;
      headers[COMPAT.apiHeader] = String(this.level);
      if (this.token) headers.Authorization = `Bearer ${this.token}`;
    }
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      const res = await fetch(`${this.run.base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      });
      // Counted in the step whose deployment routed it: a call in flight across a step belongs to the one that served it.
      const side = res.headers.get('X-Rehearsal-Side');
      const routedIn = this.run.stepOfDeployment(Number(res.headers.get('X-Rehearsal-Deployment')));
      if (routedIn && (side === 'old' || side === 'new')) routedIn.served[side]++;
      const text = await res.text();
      const json = res.headers.get('Content-Type')?.includes('json')
        ? (JSON.parse(text) as Record<string, unknown>)
        : null;
      const objectSide = res.headers.get('X-Rehearsal-Room-Side');
      const pairing = objectSide ? pairingOf(`${side}>${objectSide}`) : 'no room';
      return {
        status: res.status,
        body: json,
        compat: res.status === 409 && res.headers.get(COMPAT.compatHeader) === 'reload',
        pairing,
      };
    } catch (error) {
      return { status: 0, body: { error: 'network', message: String(error) }, compat: false, pairing: 'no room' };
    }
  }

  /** Counts a compat notice and reloads onto whatever version now serves this learner; false if the reload failed. */
  async reloadAfterNotice(): Promise<boolean> {
    const step = this.run.step();
    step.compatNotices++;
    const reloaded = (await this.load()).status === 200;
    if (reloaded) step.reloads++;
    return reloaded;
  }

  /**
   * One learner action: tried, and failed unless it ends in a 2xx. A compat
   * answer reloads the page and sends the action once more (the draft is kept).
   * A group action answered 5xx is also a server error, by pairing.
   */
  async act(name: string, request: () => Promise<Answer>): Promise<Answer | null> {
    const step = this.run.step();
    step[this.kind].tried++;
    let answer = await request();
    if (answer.compat && (await this.reloadAfterNotice())) answer = await request();
    if (answer.status >= 200 && answer.status < 300) return answer;
    step[this.kind].failed++;
    if (this.kind === 'group' && answer.status >= 500) step.serverErrors[answer.pairing]++;
    noteFailure(
      step,
      `${this.kind} ${name} (client API ${this.level}): ${answer.status} ${String(answer.body?.error ?? '')} ${String(answer.body?.message ?? '')}`.trim(),
    );
    return null;
  }

  /**
   * An action that makes no sense on another client: a compat answer
   * reloads the page and returns `reloaded` (tried, not failed), so the
   * learner starts over on whatever the new page can do.
   */
  async actOrReload(name: string, request: () => Promise<Answer>): Promise<Answer | 'reloaded' | null> {
    const first = await request();
    if (!first.compat) return this.act(name, () => Promise.resolve(first));
    const step = this.run.step();
    step[this.kind].tried++;
    if (await this.reloadAfterNotice()) return 'reloaded';
    step[this.kind].failed++;
    noteFailure(step, `${this.kind} ${name}: the reload after a compat notice failed`);
    return null;
  }

  /** Becomes a guest learner once; the token is kept across reloads, like the client's storage. */
  async join(nickname: string): Promise<boolean> {
    if (this.token) return true;
    const answer = await this.act('become a guest', () => this.call('POST', '/api/v1/members', { nickname }));
    this.token = (answer?.body?.token as string | undefined) ?? null;
    return this.token !== null;
  }
}

/** A plan whose first answer is a fresh nonce. */
function planOf(run: Run): { nonce: string; plan: Plan } {
  const nonce = run.nonce();
  return { nonce, plan: { toDo: nonce, completionCondition: 'rehearsal' } };
}

/** A retrospect whose first answer is a fresh nonce. */
function retrospectOf(run: Run): { nonce: string; retrospect: Retrospect } {
  const nonce = run.nonce();
  return { nonce, retrospect: { doneAsExpected: nonce, experiencedDifficulty: 'none' } };
}

/** How many studies a learner runs in one visit (one page load) before someone else comes. */
const STUDIES_PER_VISIT = 3;

/** Loads the app and becomes a guest learner; null if either failed (counted). */
async function arrive(run: Run, kind: 'solo' | 'group', name: string): Promise<Page | null> {
  const page = new Page(run, kind);
  if (!(await page.act('load the app', () => page.load()))) return null;
  return (await page.join(name)) ? page : null;
}

/**
 * A seat learners take turns in until the run stops: a learner arrives (a
 * new version key, so the split decides their client), runs `visit` studies
 * back to back, leaves, and the next one arrives.
 */
async function seat(
  run: Run,
  kind: 'solo' | 'group',
  name: string,
  study: (page: Page) => Promise<void>,
  visit = STUDIES_PER_VISIT,
): Promise<void> {
  while (!run.stopping()) {
    const page = await arrive(run, kind, name);
    for (let n = 0; page && n < visit && !run.stopping(); n++) {
      await study(page);
      await think();
    }
    if (!page) await think();
  }
}

/** A seat of solo learners: one-cycle solo studies (plan, study, retrospect); a failed action abandons that study. */
export function soloLearner(run: Run, name: string): Promise<void> {
  return seat(run, 'solo', name, (page) => v1Study(page, 'solo'));
}

/**
 * One Release 1 style study through the v1 API: solo, or a group study as a
 * Release 1 client runs it (each learner on their own). A group start that
 * meets a compat answer reloads: the new page runs rooms instead.
 */
async function v1Study(page: Page, mode: 'solo' | 'group'): Promise<void> {
  const { run } = page;
  const start = () =>
    page.call('POST', '/api/v1/studies', { name: 'rehearsal', totalCycles: 1, minutesPerCycle: 20, mode });
  const created =
    mode === 'group'
      ? await page.actOrReload('start a group study (v1)', start)
      : await page.act('start a solo study', start);
  if (!created || created === 'reloaded') return;
  const progressId = (created.body?.me as { progressId?: string } | undefined)?.progressId;
  if (!progressId) return;
  const advance = (step: string) =>
    page.act(`leave ${step}`, () =>
      page.call('POST', `/api/v1/progress/${progressId}/advance`, { from: { step, cycle: 1 } }),
    );
  await think();
  const { nonce: planNonce, plan } = planOf(run);
  const stepOfPlan = run.stepIndex();
  if (
    !(await page.act('save the plan', () =>
      page.call('PUT', `/api/v1/progress/${progressId}/plan`, { cycle: 1, plan }),
    ))
  )
    return;
  run.submitted({ nonce: planNonce, kind: page.kind, step: stepOfPlan });
  for (const step of ['planning', 'studying']) {
    await think();
    if (!(await advance(step))) return;
  }
  await think();
  const { nonce: retroNonce, retrospect } = retrospectOf(run);
  const stepOfRetro = run.stepIndex();
  if (
    !(await page.act('save the retrospect', () =>
      page.call('PUT', `/api/v1/progress/${progressId}/retrospect`, { cycle: 1, retrospect }),
    ))
  )
    return;
  run.submitted({ nonce: retroNonce, kind: page.kind, step: stepOfRetro });
  await think();
  await advance('retrospect');
}

/**
 * A guest for a live room: fresh learners (new version keys) are tried until
 * one's page load gives a client of API level 2 or later, as only learners on
 * the new version can join rooms. Null if the run stops first.
 */
async function roomCapablePage(run: Run): Promise<Page | null> {
  while (!run.stopping()) {
    const page = new Page(run, 'group');
    if ((await page.load()).status === 200 && page.level >= 2) return page;
    await sleep(100);
  }
  return null;
}

/**
 * A seat of group hosts. On a client of API level 2 or later the host opens
 * a live room (`POST /api/v2/studies`), `guests` join by code, everyone
 * connects its socket, and they run a one-cycle study with the host moving
 * the room on. On an older client the host starts a Release 1 group study,
 * which a newer worker answers with the compat notice: reload, then rooms.
 * A host who `keepsTab` never leaves: their page outlives every deployment
 * step, so the step that moves their key meets an old page (and a rollback
 * a new one).
 */
export function roomGroup(run: Run, name: string, guests: number, keepsTab = false): Promise<void> {
  const study = (host: Page) => (host.level < 2 ? v1Study(host, 'group') : roomStudy(run, host, guests));
  return seat(run, 'group', name, study, keepsTab ? Infinity : STUDIES_PER_VISIT);
}

async function roomStudy(run: Run, host: Page, guests: number): Promise<void> {
  const opened = await host.actOrReload('open a room', () =>
    host.call('POST', '/api/v2/studies', { name: 'rehearsal', totalCycles: 1, minutesPerCycle: 20 }),
  );
  if (!opened || opened === 'reloaded') return;
  const state = opened.body?.state as RoomState;
  const pages = [host];
  for (let i = 0; i < guests; i++) {
    const guest = await roomCapablePage(run);
    if (!guest || !(await guest.join('guest'))) return;
    if (
      !(await guest.act('join the room', () =>
        guest.call('POST', '/api/v2/studies/join', { code: state.code, nickname: 'guest' }),
      ))
    )
      return;
    pages.push(guest);
  }
  const links = pages.map((page) => new RoomLink(page, state.studyId));
  const [hostLink] = links as [RoomLink];
  const everyone = async (action: (link: RoomLink) => Promise<boolean>) =>
    (await Promise.all(links.map(action))).every(Boolean);
  try {
    if (!(await everyone((link) => link.open()))) return;
    await ponder();
    if (!(await hostLink.command('start the room', { type: 'start' }, (s) => s.step === 'planning'))) return;
    await ponder();
    if (!(await everyone((link) => link.submit('plan')))) return;
    for (const [step, next] of [
      ['planning', 'studying'],
      ['studying', 'retrospect'],
    ] as const) {
      await ponder();
      if (
        !(await hostLink.command(
          `move to ${next}`,
          { type: 'advance', from: { step, cycle: 1 }, confirm: true },
          (s) => s.step === next,
        ))
      )
        return;
    }
    await ponder();
    if (!(await everyone((link) => link.submit('retro')))) return;
    await ponder();
    await hostLink.command(
      'finish the study',
      { type: 'advance', from: { step: 'retrospect', cycle: 1 }, confirm: true },
      (s) => s.step === 'done',
    );
  } finally {
    for (const link of links) link.leave();
  }
}

/** Learners reconnect faster than the page (a rehearsal step lasts seconds), with the same full jitter. */
const LEARNER_BACKOFF = { baseMs: 100, maxMs: 2_000 } as const;

/**
 * One learner's room line: the shared room client (shared/room-client.ts) over
 * Node's WebSocket, as the page keeps it: a snapshot on every (re)connect,
 * events applied in order (a gap asks for `sync`), submissions kept until
 * acked and sent again after a reconnect, reconnects with capped backoff and
 * jitter. A 4409 is a compat notice: reload, and give up the room if the new
 * page cannot do rooms.
 */
class RoomLink {
  private readonly client: RoomClient;
  private ended: string | null = null;
  /** Closes since the room last sent a snapshot. */
  private failures = 0;
  private readonly acked = new Set<string>();
  private readonly page: Page;
  private readonly studyId: string;

  constructor(page: Page, studyId: string) {
    this.page = page;
    this.studyId = studyId;
    this.client = createRoomClient({
      open: (since) => {
        const url = `${page.run.base.replace(/^http/, 'ws')}${roomSocketPath(studyId, { build: page.build, since })}`;
        return new WebSocket(url, [subprotocolFor(page.level), `${TOKEN_SUBPROTOCOL}${page.token}`]);
      },
      backoff: LEARNER_BACKOFF,
    });
    this.client.listen((changes) => {
      for (const change of changes) {
        if (change.type === 'snapshot') this.failures = 0;
        if (change.type === 'ack') this.acked.add(change.id);
        if (change.type === 'close') void this.closed(change.code, change.reason, change.opened, change.verdict);
      }
    });
  }

  /**
   * Loads the room over HTTP first, as the page does (`GET /api/v2/studies/:id`,
   * so a refusal has a status to read), then connects and waits for the first snapshot.
   */
  async open(): Promise<boolean> {
    if (!(await this.page.act('load the room', () => this.page.call('GET', `/api/v2/studies/${this.studyId}`))))
      return false;
    const step = this.page.run.step();
    step.group.tried++;
    this.client.connect();
    if (await this.until(() => true)) return true;
    step.group.failed++;
    noteFailure(step, `group connect to the room: ${this.ended ?? 'no snapshot'}`);
    return false;
  }

  private async closed(code: number, reason: string, opened: boolean, verdict: CloseVerdict): Promise<void> {
    if (this.ended) return;
    const step = this.page.run.step();
    this.failures++;
    if (code === CLOSE.unauthorized) {
      this.ended = `closed ${code} (not a participant here)`;
      return;
    }
    if (code === WORKER_FAILED) {
      // The router names the pairing that failed first in the reason; the client reconnects as the page does.
      step.serverErrors[pairingOf(reason.split(':')[0] ?? '')]++;
      noteFailure(step, `group room socket: closed ${code} ${reason}`);
    }
    if (code === CLOSE.versionMismatch) {
      await this.page.reloadAfterNotice();
      this.ended = `closed ${code}: reloaded onto a client of API ${this.page.level}`;
      return;
    }
    if (verdict === 'stop') {
      this.ended = `closed ${code} ${reason}`;
      return;
    }
    // A refused upgrade (no open) may be a version without rooms: ask over HTTP, as the page does.
    if (!opened && this.failures >= 3) {
      const answer = await this.page.call('GET', `/api/v2/studies/${this.studyId}`);
      if (answer.compat) {
        await this.page.reloadAfterNotice();
        if (this.page.level < 2)
          return this.end(`reloaded onto a client of API ${this.page.level}, which has no live rooms`);
      }
    }
    if (this.page.run.stopping()) return this.end('run stopped');
    step.reconnects++;
  }

  /** Stops the line for good, saying why. */
  private end(why: string): void {
    this.ended ??= why;
    this.client.close();
  }

  /** Waits until the line is live and the room's state satisfies `ok` (or the link ends, or time runs out). */
  private async until(ok: (state: RoomState) => boolean, timeoutMs = ROOM_WAIT_MS): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !this.ended) {
      const { state } = this.client;
      if (this.client.connection === 'live' && state && ok(state)) return true;
      await sleep(25);
    }
    return false;
  }

  /** Submits this cycle's plan or retrospect and waits for the ack; counts it as acknowledged. */
  async submit(kind: 'plan' | 'retro'): Promise<boolean> {
    const { run } = this.page;
    const step = run.step();
    step.group.tried++;
    const id = randomUUID();
    const index = run.stepIndex();
    let nonce: string;
    if (kind === 'plan') {
      const { nonce: planNonce, plan } = planOf(run);
      nonce = planNonce;
      this.client.submit({ type: 'submit', id, cycle: 1, plan });
    } else {
      const { nonce: retroNonce, retrospect } = retrospectOf(run);
      nonce = retroNonce;
      this.client.submit({ type: 'retro', id, cycle: 1, retrospect });
    }
    const deadline = Date.now() + ROOM_WAIT_MS;
    while (!this.acked.has(id) && !this.ended && Date.now() < deadline) await sleep(25);
    if (this.acked.has(id)) {
      run.submitted({ nonce, kind: 'group', step: index });
      return true;
    }
    step.group.failed++;
    noteFailure(step, `group ${kind === 'plan' ? 'submit a plan' : 'submit a retrospect'}: ${this.ended ?? 'no ack'}`);
    return false;
  }

  /** The host sends a command and waits for the room to reach the state it asks for. */
  async command(name: string, message: ClientMessage, reached: (state: RoomState) => boolean): Promise<boolean> {
    const step = this.page.run.step();
    step.group.tried++;
    await this.until(() => true);
    this.client.send(message);
    // A command lost in a reconnect is sent again once the new snapshot shows it has not happened.
    const deadline = Date.now() + ROOM_WAIT_MS;
    while (Date.now() < deadline && !this.ended) {
      if (await this.until(reached, 2_000)) return true;
      this.client.send(message);
    }
    step.group.failed++;
    noteFailure(step, `group ${name}: ${this.ended ?? 'the room did not move'}`);
    return false;
  }

  /** Leaves the room (close 1000) and stops reconnecting. */
  leave(): void {
    this.ended ??= 'left';
    this.client.send({ type: 'leave' });
    this.client.close('left');
  }
}
