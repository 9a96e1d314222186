/**
 * The worker entry. `@haru/build` is the client build this worker version was
 * built with (dist/build.json by default; wrangler.toml `alias`), baked into
 * the bundle so each worker version serves its own page.
 */
import build from '@haru/build';
import { buildInfoSchema } from '../shared/index.ts';
import { createApp } from './app.ts';

export default createApp({ build: buildInfoSchema.parse(build) });
export { Room } from './room/room.ts';
