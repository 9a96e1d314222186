/**
 * Home: start a study (solo or group) or join a group by its code. Both
 * forms are drafts, checked with the shared schemas before they are sent.
 * A solo study uses the v1 API and never the room; a group study is a live
 * room (v2 API).
 */
import { createModel, signal } from '@preact/signals';
import { normalizeNickname } from '../../shared/nickname.ts';
import { clearDrafts, formDrafts } from '../drafts/store.ts';
import { createSubmission } from '../forms/submission.ts';
import { loadPageMessages } from '../i18n/locale.ts';
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
  /** A study the learner was already in under another nickname, which it keeps: `[nickname, studyId]`. */
  const rejoined = signal<[string, string] | null>(null);
  return {
    create,
    join,
    creating,
    joining,
    rejoined,
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
    /**
     * Joins the live group study with that code and opens its room; one the
     * learner is already in keeps its nickname, so a new one typed here is
     * not used: they are told so, with the way in, instead.
     */
    async joinStudy(): Promise<boolean> {
      rejoined.value = null;
      const room = await joining.run(
        'joinStudyBody',
        { code: join.code.value, nickname: join.nickname.value },
        api.joinRoom,
      );
      if (!room) return false;
      const { studyId, nickname: kept } = room;
      if (kept !== normalizeNickname(join.nickname.peek())) {
        // The notice's words come with the pages' messages.
        await loadPageMessages();
        rejoined.value = [kept, studyId];
        return true;
      }
      clearDrafts('home.join.');
      navigate(paths.room(studyId));
      return true;
    },
  };
});
