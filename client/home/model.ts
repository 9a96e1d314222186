/**
 * Home: start a study (solo or group) or join a group by its code. Both
 * forms are drafts, checked with the shared schemas before they are sent.
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
        mode: create.mode.value,
      };
      const page = await creating.run('createStudyBody', input, api.createStudy);
      if (!page) return false;
      clearDrafts('home.create.');
      navigate(paths.study(page.study.id));
      return true;
    },
    /** Joins the group study with that code and opens it. */
    async joinStudy(): Promise<boolean> {
      const page = await joining.run('joinStudyBody', { code: join.code.value, nickname: join.nickname.value }, api.joinStudy);
      if (!page) return false;
      clearDrafts('home.join.');
      navigate(paths.study(page.study.id));
      return true;
    },
  };
});
