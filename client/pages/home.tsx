/**
 * The landing page: what Haru Study is, and the nickname a learner will
 * study under (kept as a draft from the first keystroke).
 */
import { draft } from '../drafts/store.ts';

/** Landing page. */
export function HomePage() {
  const nickname = draft('nickname');
  return (
    <main class="page">
      <h1>Haru Study</h1>
      <p class="lead">Plan, study, look back. One to eight cycles, alone or with friends.</p>
      <label for="nickname">Nickname</label>
      <input
        id="nickname"
        name="nickname"
        maxLength={10}
        autoComplete="nickname"
        value={nickname.value}
        onInput={(e) => (nickname.value = e.currentTarget.value)}
      />
    </main>
  );
}
