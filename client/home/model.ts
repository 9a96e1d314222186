/**
 * Home: start a study. The form is a draft, checked with the shared schemas
 * before it is sent. Release 1.5 pauses group study (create and join) while
 * it becomes live; solo study is untouched.
 */
import { createModel } from '@preact/signals';
import { clearDrafts, formDrafts } from '../drafts/store.ts';
import { createSubmission } from '../forms/submission.ts';
import type { Api } from '../net/api.ts';
import { navigate, paths } from '../router/router.ts';

/** What a new study form starts with: the classic 25-minute pomodoro, twice, alone. */
const CREATE_DEFAULTS = { name: '', cycles: '2', minutes: '25', mode: 'solo' };

/** The home page's form and its action. */
export const HomeModel = createModel((api: Api) => {
  const create = formDrafts('home.create.', ['name', 'cycles', 'minutes', 'mode'] as const);
  for (const [field, value] of Object.entries(CREATE_DEFAULTS)) create[field as keyof typeof create].value ||= value;
  // A draft from Release 1 may still say "group": group is paused, so solo it is.
  create.mode.value = 'solo';

  const creating = createSubmission();
  return {
    create,
    creating,
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
  };
});
