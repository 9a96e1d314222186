/** The nickname step: become a guest learner under the nickname typed so far. */
import { createModel } from '@preact/signals';
import { draft } from '../drafts/store.ts';
import { createSubmission } from '../forms/submission.ts';
import type { Api } from '../net/api.ts';
import { navigate } from '../router/router.ts';
import type { IdentityStore } from './store.ts';

/** The nickname form: its draft, and the action that turns it into a guest identity. */
export const NicknameModel = createModel((api: Api, identity: IdentityStore) => {
  const nickname = draft('nickname');
  const submission = createSubmission();
  return {
    nickname,
    submission,
    /** Creates the guest member; resolves true once the identity is stored. */
    async submit(): Promise<boolean> {
      const created = await submission.run('createMemberBody', { nickname: nickname.value }, api.createMember);
      if (!created) return false;
      identity.save(created);
      // The page the learner came for appears in place of this step: treat it
      // as arriving there, so its heading takes focus.
      navigate(location.pathname, { replace: true });
      return true;
    },
  };
});
