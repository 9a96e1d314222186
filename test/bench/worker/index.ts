/**
 * The benchmark's worker entry (test-only, never deployed; `npm run bench`
 * starts it through test/bench/app.ts with a generated wrangler config that
 * adds the two bindings below, so wrangler.toml stays as it is).
 *
 * - Everything the real worker serves, through its own default handler and
 *   its own `Room` class (re-exported unchanged, bound as ROOM).
 * - `PartyRoom`: the peer to beat, a minimal PartyServer room that sends
 *   each message to every connection, hibernatable like ours; routed by
 *   `routePartykitRequest` at `/parties/party-room/<name>`.
 * - `BareRoom` and `BareStoreRoom` (./bare.ts): the floor, a Durable
 *   Object on the hibernation API that broadcasts each message and nothing
 *   else, and the same storing each message first; routed at
 *   `/bare/plain/<name>` and `/bare/store/<name>` (a WebSocket upgrade, or
 *   `GET .../count` for the closes the room has handled).
 * - `PartyRoom` also counts the closes it handled, answered to a plain
 *   `GET /parties/party-room/<name>`.
 * - `ClockRoom`: the browser tests' room on a movable clock
 *   (test/browser/clock-worker), for walking a 60-minute cycle in no time.
 *   A request carrying `X-Bench-Room: clock` goes to the clock worker's
 *   handler (the same app on the shifted clock, plus its `/__test/clock` and
 *   `/__test/rooms/:studyId/alarm` routes) with ROOM swapped for this
 *   namespace, so the clock rooms never mix with the timed ones.
 */
import { type Connection, routePartykitRequest, Server, type WSMessage } from 'partyserver';
import app, { Room } from '../../../worker/index.ts';
import clockWorker, { TestRoom } from '../../browser/clock-worker/index.ts';
import { BareRoom, BareStoreRoom } from './bare.ts';

export { BareRoom, BareStoreRoom, Room, TestRoom as ClockRoom };

/** Bindings the bench config adds to the real worker's. */
export interface BenchEnv extends Env {
  PartyRoom: DurableObjectNamespace<PartyRoom>;
  CLOCK_ROOM: DurableObjectNamespace<TestRoom>;
  BARE_ROOM: DurableObjectNamespace<BareRoom>;
  BARE_STORE_ROOM: DurableObjectNamespace<BareStoreRoom>;
}

/** The PartyServer peer: broadcast every message to every connection, nothing else. */
export class PartyRoom extends Server<BenchEnv> {
  static override options = { hibernate: true };

  /** Closes handled since the object started (for the drop-all storm). */
  private closesHandled = 0;

  override onMessage(_connection: Connection, message: WSMessage): void {
    this.broadcast(message);
  }

  override onClose(): void {
    this.closesHandled += 1;
  }

  override onError(): void {
    this.closesHandled += 1;
  }

  override onRequest(): Response {
    return Response.json({ open: [...this.getConnections()].length, closesHandled: this.closesHandled });
  }
}

/** `/bare/<plain|store>/<name>[/count]` -> the bare room of that name. */
const BARE_PATH = /^\/bare\/(plain|store)\/([\w-]{1,64})(\/count)?$/;

/** The header that sends a request to the clock rooms. */
const CLOCK_HEADER = 'X-Bench-Room';

export default {
  async fetch(request, env, ctx) {
    if (new URL(request.url).pathname.startsWith('/parties/')) {
      return (await routePartykitRequest(request, env)) ?? new Response('no such party', { status: 404 });
    }
    const bare = BARE_PATH.exec(new URL(request.url).pathname);
    if (bare) {
      const namespace = bare[1] === 'store' ? env.BARE_STORE_ROOM : env.BARE_ROOM;
      return namespace.get(namespace.idFromName(bare[2]!)).fetch(request);
    }
    if (request.headers.get(CLOCK_HEADER) === 'clock') {
      return clockWorker.fetch(request, { ...env, ROOM: env.CLOCK_ROOM as unknown as Env['ROOM'] }, ctx);
    }
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<BenchEnv>;
