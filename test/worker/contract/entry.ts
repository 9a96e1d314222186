/**
 * The worker tests' entry (vitest.config.ts `main`): the real worker and room
 * (worker/index.ts), plus the previous release's room class as
 * `PreviousRoom`, bound as PREVIOUS_ROOM. On Cloudflare a room object runs the
 * version the deployment assigns it, whatever version calls it (DESIGN §7);
 * here a test puts one release's worker in front of the other's room by
 * swapping the ROOM binding. Never deployed.
 */

export { Room as PreviousRoom } from '@haru/previous-release/room/room.ts';
export { default, Room } from '../../../worker/index.ts';
