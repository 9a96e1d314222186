/**
 * The first thing a new learner sees, wherever they arrive: pick a nickname.
 * Shown in place of any page while there is no identity, so a deep link
 * opened by a new learner continues to its page right after.
 */
import { useModel } from '@preact/signals';
import { Form } from '../forms/form.tsx';
import { messages } from '../i18n/locale.ts';
import type { Api } from '../net/api.ts';
import { navigations } from '../router/router.ts';
import { Heading } from '../ui/heading.tsx';
import { useTitle } from '../ui/title.ts';
import { NicknameModel } from './model.ts';
import { NicknameField } from './nickname-field.tsx';
import type { IdentityStore } from './store.ts';

/** The nickname step. */
export function NicknameStep({ api, identity }: { api: Api; identity: IdentityStore }) {
  const model = useModel(() => new NicknameModel(api, identity));
  const t = messages();
  useTitle(() => null);
  return (
    <main id="main" class="page" data-testid="nickname-step">
      <Heading level={1} focus={navigations.value > 0}>
        {t.welcomeTitle}
      </Heading>
      <p class="lead">{t.welcomeLead}</p>
      {identity.expired.value ? (
        <p class="notice-inline" role="status" data-testid="identity-expired">
          {t.identityExpired}
        </p>
      ) : null}
      <section class="card">
        <Form
          submission={model.submission}
          onSubmit={model.submit}
          submitLabel={t.nicknameSubmit}
          testId="nickname-form"
          deferSchemas
        >
          <NicknameField
            id="nickname"
            label={t.nickname}
            hint={t.nicknameHint}
            value={model.nickname}
            error={model.submission.fields.value.nickname}
          />
        </Form>
      </section>
    </main>
  );
}
