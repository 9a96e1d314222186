/**
 * Home: start a study (solo or group) or join a group by its code. Both
 * forms are drafts, checked with the shared schemas before they are sent.
 * A solo study uses the v1 API and never the room; a group study is a live
 * room (v2 API).
 */
import { createModel } from '@preact/signals';
import { clearDrafts, formDrafts } from '../drafts/store.ts';
import { createSubmission } from '../forms/submission.ts';
import type { Api } from '../net/api.ts';
import { navigate, paths } from '../router/router.ts';

/** What a new study form starts with: the classic 25-minute pomodoro, twice, alone. */
const CREATE_DEFAULTS = { name: '', cycles: '2', minutes: '25', mode: 'solo' };

/** The home page's two forms and their actions. */
export const HomeModel = createModel((api: Api, nickname: string) => {
  const create = formDrafts('home.create.', ['name', 'cycles', 'minutes', 'mode'] as const);
  const join = formDrafts('home.join.', ['code', 'nickname'] as const);
  for (const [field, value] of Object.entries(CREATE_DEFAULTS)) create[field as keyof typeof create].value ||= value;
  join.nickname.value ||= nickname;

  const creating = createSubmission();
  const joining = createSubmission();
  return {
    create,
    join,
    creating,
    joining,
    /** Creates the study and opens it; resolves false when the form or the server said no. */
    async createStudy(): Promise<boolean> {
      const input = {
        name: create.name.value,
        totalCycles: Number(create.cycles.value),
        minutesPerCycle: Number(create.minutes.value),
      };
      const opened =
        create.mode.value === 'group'
          ? await creating
              .run('createRoomBody', input, api.createRoom)
              .then((room) => room && paths.room(room.state.studyId))
          : await creating
              .run('createStudyBody', { ...input, mode: create.mode.value }, api.createStudy)
              .then((page) => page && paths.study(page.study.id));
      if (!opened) return false;
      clearDrafts('home.create.');
      navigate(opened);
      return true;
    },
    /** Joins the live group study with that code and opens its room. */
    async joinStudy(): Promise<boolean> {
      const room = await joining.run(
        'joinStudyBody',
        { code: join.code.value, nickname: join.nickname.value },
        api.joinRoom,
      );
      if (!room) return false;
      clearDrafts('home.join.');
      navigate(paths.room(room.state.studyId));
      return true;
    },
  };
});
