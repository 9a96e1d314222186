/**
 * The rehearsal's router (`npm run rehearse`; never deployed): the one worker
 * the scripted learners talk to, standing in for Cloudflare's gradual
 * deployment in front of the old and the new worker version (service
 * bindings OLD and NEW, one `wrangler dev`, one local D1 and KV).
 *
 * - Every request goes to a version by its version key (sticky) or at random
 *   (split.ts). Room objects follow their own assignment (`roomSide`), not
 *   the caller's version: both versions' ROOM bind the room host
 *   (room-host.ts), which runs each object on its assigned version's code, so
 *   a worker of one version calls objects of the other, as on Cloudflare.
 * - Room sockets are relayed, so a deployment that moves a room object to the
 *   other version drops its sockets (close 4503) at once, as an immediate
 *   code update resets the object on Cloudflare.
 * - It counts, per deployment, which worker version met which object
 *   version on the requests that name their room (the page's view, the
 *   socket), by the same assignment the host follows.
 * - Every answer names the side that served it and the deployment (counted
 *   from 1) that routed it, so the report counts it in the right step.
 * - `/__rehearsal/*` (with the run's control token) steps the deployment,
 *   applies a migration to the shared D1 while both versions serve, and reads
 *   D1 for the final count.
 *
 * Everything runs in one Durable Object, the switchboard: a stateless worker
 * may not close a socket from another request (the deployment step), an
 * object that accepted the sockets may.
 */
import { DurableObject } from 'cloudflare:workers';
import { CLOSE } from '../../../shared/room.ts';
import { bucketOf, type Meeting, roomSide, type Side, sideFor } from '../split.ts';

/** One relayed room socket: the version its room object runs, the learner's end and the version's end. */
interface Relay {
  objectSide: Side | null;
  learner: WebSocket;
  version: WebSocket;
}

const VERSION_KEY = 'Cloudflare-Workers-Version-Key';
/** The close code of a socket whose worker or room object failed. */
const WORKER_FAILED = 1011;
const ROOM_PATH = /^\/api\/v2\/studies\/([^/]+)(?:\/socket)?$/;

/** The deployment as the driver last set it. */
interface Deployment {
  newPercent: number;
  hasRooms: Record<Side, boolean>;
  /** How many deployments there were: every answer says which one routed it. */
  number: number;
}

export default {
  fetch(request, env) {
    return env.SWITCHBOARD.get(env.SWITCHBOARD.idFromName('switchboard')).fetch(request);
  },
} satisfies ExportedHandler<Env>;

/** The one object every request goes through: the deployment and the relayed sockets. */
export class Switchboard extends DurableObject<Env> {
  private deployment: Deployment = { newPercent: 0, hasRooms: { old: false, new: false }, number: 0 };
  /** Relayed sockets by study id. */
  private readonly relays = new Map<string, Set<Relay>>();
  /** Worker-to-object meetings counted per deployment number. */
  private readonly meetings = new Map<number, Partial<Record<Meeting, number>>>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      this.deployment = (await ctx.storage.get<Deployment>('deployment')) ?? this.deployment;
    });
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.startsWith('/__rehearsal/')) {
      if (request.headers.get('X-Rehearsal-Token') !== this.env.CONTROL_TOKEN)
        return json({ error: 'unauthorized' }, 401);
      return this.control(url.pathname, request);
    }
    const { newPercent, hasRooms, number } = this.deployment;
    const key = request.headers.get(VERSION_KEY);
    const side = sideFor(key ? bucketOf(key) : Math.random() * 100, newPercent);
    const studyId = roomOf(url.pathname);
    // A worker without the room class calls no object.
    const objectSide = studyId && hasRooms[side] ? roomSide(studyId, newPercent, hasRooms) : null;
    if (objectSide) this.meet(number, `${side}>${objectSide}`);
    const response = await (side === 'new' ? this.env.NEW : this.env.OLD).fetch(request);
    if (response.webSocket) return this.relay(response, side, studyId, objectSide, number);
    const answer = new Response(response.body, response);
    answer.headers.set('X-Rehearsal-Side', side);
    answer.headers.set('X-Rehearsal-Deployment', String(number));
    if (objectSide) answer.headers.set('X-Rehearsal-Room-Side', objectSide);
    return answer;
  }

  /** RPC for the room host: the version a room object runs in this deployment (null: no deployed version has rooms). */
  async objectSide(studyId: string): Promise<Side | null> {
    return roomSide(studyId, this.deployment.newPercent, this.deployment.hasRooms);
  }

  private meet(deployment: number, meeting: Meeting): void {
    const counts = this.meetings.get(deployment) ?? {};
    counts[meeting] = (counts[meeting] ?? 0) + 1;
    this.meetings.set(deployment, counts);
  }

  /** Relays an accepted room socket, remembering it so a deployment can drop it. */
  private relay(
    response: Response,
    side: Side,
    studyId: string | null,
    objectSide: Side | null,
    deployment: number,
  ): Response {
    const version = response.webSocket as WebSocket;
    const pair = new WebSocketPair();
    const learner = pair[1];
    version.accept();
    learner.accept();
    const entry: Relay = { objectSide, learner, version };
    const set = studyId ? (this.relays.get(studyId) ?? new Set<Relay>()) : new Set<Relay>();
    if (studyId) this.relays.set(studyId, set.add(entry));
    const forget = () => set.delete(entry);
    learner.addEventListener('message', (event) => send(version, event.data));
    version.addEventListener('message', (event) => send(learner, event.data));
    // A version end that fails (1011) or drops (1006) reaches the learner as 1011 naming the pairing, so the report can say which failed.
    const failed = (reason: string) =>
      close(learner, WORKER_FAILED, `${side}>${objectSide ?? 'none'}: ${reason}`.slice(0, 120));
    learner.addEventListener('close', (event) => {
      forget();
      close(version, event.code, event.reason);
    });
    version.addEventListener('close', (event) => {
      forget();
      if (event.code === WORKER_FAILED || event.code === 1006) failed(event.reason || `dropped (${event.code})`);
      else close(learner, event.code, event.reason);
    });
    learner.addEventListener('error', () => {
      forget();
      close(version, WORKER_FAILED, 'learner side failed');
    });
    version.addEventListener('error', () => {
      forget();
      failed('version side failed');
    });
    const headers = new Headers({ 'X-Rehearsal-Side': side, 'X-Rehearsal-Deployment': String(deployment) });
    const protocol = response.headers.get('Sec-WebSocket-Protocol');
    if (protocol) headers.set('Sec-WebSocket-Protocol', protocol);
    return new Response(null, { status: 101, webSocket: pair[0], headers });
  }

  private async control(path: string, request: Request): Promise<Response> {
    const body = (await request.json().catch(() => null)) as Record<string, unknown> | null;
    if (!body) return json({ error: 'invalid_json' }, 400);
    switch (path) {
      case '/__rehearsal/deploy':
        return json(await this.deploy(body));
      case '/__rehearsal/status':
        return json({
          ...this.deployment,
          relayed: [...this.relays.values()].reduce((n, set) => n + set.size, 0),
          meetings: Object.fromEntries(this.meetings),
        });
      case '/__rehearsal/migrate':
        return json(await migrate(this.env.DB, body));
      case '/__rehearsal/query':
        return json({ rows: (await this.env.DB.prepare(String(body.sql)).all()).results });
      default:
        return json({ error: 'not_found' }, 404);
    }
  }

  /** Sets the new version's share; drops the sockets of every room object whose version changes. */
  private async deploy(body: Record<string, unknown>): Promise<{ dropped: number; deployment: number }> {
    const newPercent = Number(body.newPercent);
    if (!(newPercent >= 0 && newPercent <= 100)) throw new Error(`newPercent ${String(body.newPercent)} is not 0-100`);
    this.deployment = {
      newPercent,
      hasRooms: (body.hasRooms as Record<Side, boolean> | undefined) ?? this.deployment.hasRooms,
      number: this.deployment.number + 1,
    };
    await this.ctx.storage.put('deployment', this.deployment);
    let dropped = 0;
    for (const [studyId, set] of this.relays) {
      const side = roomSide(studyId, newPercent, this.deployment.hasRooms);
      for (const entry of set) {
        if (entry.objectSide === side) continue;
        set.delete(entry);
        dropped++;
        close(entry.learner, CLOSE.restart, 'the room moved to another version');
        close(entry.version, 1001, 'the room moved to another version');
      }
    }
    return { dropped, deployment: this.deployment.number };
  }
}

/** The study id in a room request's path (`join` is a verb, not a study). */
function roomOf(path: string): string | null {
  const id = ROOM_PATH.exec(path)?.[1];
  return id && id !== 'join' ? decodeURIComponent(id) : null;
}

function json(body: unknown, status = 200): Response {
  return Response.json(body, { status });
}

function send(socket: WebSocket, data: string | ArrayBuffer): void {
  try {
    socket.send(data);
  } catch {
    // The other end is closing; its close event ends the relay.
  }
}

/** Closes a socket once; 1005/1006 (no code, dropped) cannot be sent, so they become 1000. */
function close(socket: WebSocket, code: number, reason: string): void {
  try {
    socket.close(code === 1005 || code === 1006 ? 1000 : code, reason);
  } catch {
    // Already closed.
  }
}

/**
 * Applies one migration file's statements in one batch and records it in
 * `d1_migrations` (wrangler's own ledger), unless it is recorded already.
 */
async function migrate(db: D1Database, body: Record<string, unknown>): Promise<{ applied: boolean }> {
  const name = String(body.name);
  const queries = body.queries as string[];
  await db
    .prepare(
      'CREATE TABLE IF NOT EXISTS d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)',
    )
    .run();
  const done = await db.prepare('SELECT 1 FROM d1_migrations WHERE name = ?').bind(name).first();
  if (done) return { applied: false };
  await db.batch([
    ...queries.map((sql) => db.prepare(sql)),
    db.prepare('INSERT INTO d1_migrations (name) VALUES (?)').bind(name),
  ]);
  return { applied: true };
}
