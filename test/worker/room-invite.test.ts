/**
 * A room address opened by someone not in the room (issue 15): the 404
 * `study_not_found` every page knows, plus, for a live group study, the
 * invite (code, name, whether it still waits) read from D1, so a page can
 * offer to join. Nothing for a solo study, an unknown id, or a participant.
 */
import { describe, expect, it } from 'vitest';
import type { RoomState } from '../../shared/index.ts';
import { expectJsonError } from './helpers.ts';
import { createStudy, ok, signUp, v1App } from './v1/client.ts';

interface RoomAnswer {
  participantId: string;
  state: RoomState;
}

describe('GET /api/v2/studies/:id for someone not in the room', () => {
  it('answers 404 study_not_found with the invite of a waiting live group study', async () => {
    const api = v1App({ apiLevel: 2 });
    const host = await signUp(api, 'host');
    const opened = await ok<RoomAnswer>(
      api.call('POST', '/api/v2/studies', { name: 'live', totalCycles: 1, minutesPerCycle: 25 }, host.token),
      201,
    );
    const stranger = await signUp(api, 'stranger');
    const body = await expectJsonError(
      await api.call('GET', `/api/v2/studies/${opened.state.studyId}`, undefined, stranger.token),
      404,
      'study_not_found',
    );
    expect(body.invite).toEqual({ code: opened.state.code, name: 'live', waiting: true });
  });

  it('carries no invite for an unknown id or a solo study', async () => {
    const api = v1App({ apiLevel: 2 });
    const owner = await signUp(api, 'owner');
    const solo = await createStudy(api, owner.token);
    const stranger = await signUp(api, 'stranger');
    for (const id of [crypto.randomUUID(), solo.study.id]) {
      const body = await expectJsonError(
        await api.call('GET', `/api/v2/studies/${id}`, undefined, stranger.token),
        404,
        'study_not_found',
      );
      expect(body).not.toHaveProperty('invite');
    }
  });
});
