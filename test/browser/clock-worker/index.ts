/**
 * The worker exactly as worker/index.ts builds it (same app, same client
 * build through `@haru/build`, same room class), except that its clock is
 * injected, as `createApp({ now })` allows: the browser tests move it forward
 * together with the page's fake clock (Playwright's `context.clock`), so
 * server deadlines and `serverNow` stay in step with the page while a
 * 60-minute cycle passes in milliseconds.
 *
 * Test-only: the harness starts it instead of worker/index.ts when a test
 * asks for `startApp({ ..., clock: true })`. It is never deployed.
 *
 * `PUT /__test/clock` with `{ "shiftMs": n }` makes the worker's clock read
 * `Date.now() + n`; `GET /__test/clock` says what it reads now. wrangler dev
 * keeps one isolate for the worker and its Durable Objects, so the shift
 * holds for every later request and for every room (the room reads the same
 * module variable through `TestRoom.now`).
 *
 * `POST /__test/rooms/:studyId/alarm` rings a room's alarm now. A room sets
 * its alarm on the platform's clock, which the shift does not move, so after
 * a jump the alarm would still ring in real minutes; ringing it runs the
 * room's own `alarm()` (time up, host handover, D1 retries), which then
 * decides by the shifted clock, exactly as it would at the real deadline.
 */
import build from '@haru/build';
import { buildInfoSchema } from '../../../shared/index.ts';
import { createApp } from '../../../worker/app.ts';
import { Room } from '../../../worker/room/room.ts';

/** The path the test clock listens on; the app itself never sees it. */
const CLOCK_PATH = '/__test/clock';
const ALARM_PATH = /^\/__test\/rooms\/([^/]+)\/alarm$/;

let shiftMs = 0;
const now = () => Date.now() + shiftMs;
const app = createApp({ build: buildInfoSchema.parse(build), now });

/** The room class on the shifted clock (exported as `Room`, the class wrangler.toml binds). */
export class TestRoom extends Room {
  override now = now;

  /** Rings the alarm at once; the room's `alarm()` reschedules the next one itself. */
  async ringAlarm(): Promise<void> {
    await this.ctx.storage.setAlarm(Date.now());
  }
}
export { TestRoom as Room };

export default {
  async fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    const alarm = ALARM_PATH.exec(pathname);
    if (alarm?.[1]) {
      if (request.method !== 'POST') return new Response(null, { status: 405, headers: { Allow: 'POST' } });
      const room = env.ROOM.get(
        env.ROOM.idFromName(decodeURIComponent(alarm[1])),
      ) as unknown as DurableObjectStub<TestRoom>;
      await room.ringAlarm();
      return Response.json({ rang: true, now: now() });
    }
    if (pathname !== CLOCK_PATH) return app.fetch(request, env, ctx);
    if (request.method === 'PUT') {
      const body = (await request.json().catch(() => null)) as { shiftMs?: unknown } | null;
      if (typeof body?.shiftMs !== 'number' || !Number.isFinite(body.shiftMs)) {
        return Response.json({ error: 'invalid_body', message: 'Send { "shiftMs": <number> }.' }, { status: 400 });
      }
      shiftMs = body.shiftMs;
    } else if (request.method !== 'GET') {
      return new Response(null, { status: 405, headers: { Allow: 'GET, PUT' } });
    }
    return Response.json({ shiftMs, now: now() });
  },
} satisfies ExportedHandler<Env>;
