/**
 * The worker exactly as worker/index.ts builds it (same app, same client
 * build through `@haru/build`), except that its clock is injected, as
 * `createApp({ now })` allows: the browser tests move it forward together
 * with the page's fake clock (Playwright's `context.clock`), so server
 * deadlines and `serverNow` stay in step with the page while a 60-minute
 * cycle passes in milliseconds.
 *
 * Test-only: the harness starts it instead of worker/index.ts when a test
 * asks for `startApp({ ..., clock: true })`. It is never deployed.
 *
 * `PUT /__test/clock` with `{ "shiftMs": n }` makes the worker's clock read
 * `Date.now() + n`; `GET /__test/clock` says what it reads now. wrangler dev
 * keeps one isolate, so the shift holds for every later request.
 */
import build from '@haru/build';
import { buildInfoSchema } from '../../../shared/index.ts';
import { createApp } from '../../../worker/app.ts';

/** The path the test clock listens on; the app itself never sees it. */
const CLOCK_PATH = '/__test/clock';

let shiftMs = 0;
const now = () => Date.now() + shiftMs;
const app = createApp({ build: buildInfoSchema.parse(build), now });

export default {
  async fetch(request, env, ctx) {
    if (new URL(request.url).pathname !== CLOCK_PATH) return app.fetch(request, env, ctx);
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

// The room object class must be exported by whichever entry wrangler runs.
export { Room } from '../../../worker/room/room.ts';
