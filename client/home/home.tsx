/** The home page of a known learner: start a study, or join one with a code. */
import { useModel } from '@preact/signals';
import { LIMITS, MINUTE_CHOICES } from '../../shared/domain.ts';
import { RadioGroup, SelectField, TextField } from '../forms/field.tsx';
import { Form } from '../forms/form.tsx';
import { messages } from '../i18n/locale.ts';
import { NicknameField } from '../identity/nickname-field.tsx';
import type { Api } from '../net/api.ts';
import { lazy } from '../router/lazy.tsx';
import { Link } from '../router/link.tsx';
import { pages } from '../router/pages.ts';
import { navigations, paths } from '../router/router.ts';
import { Heading } from '../ui/heading.tsx';
import { useTitle } from '../ui/title.ts';
import { HomeModel } from './model.ts';

/**
 * The learner's solo studies in progress, to continue or end; nothing until
 * its code is here. It comes with the study page its "Continue" opens: one
 * more lazy chunk would split the first load's shared chunks and grow it.
 */
const OpenStudies = lazy(
  () => pages.study().then((m) => m.OpenStudies),
  () => <></>,
);

const CYCLE_CHOICES = Array.from(
  { length: LIMITS.cycles.max - LIMITS.cycles.min + 1 },
  (_, i) => LIMITS.cycles.min + i,
);

/** Home page. */
export function HomePage({ api, nickname }: { api: Api; nickname: string }) {
  const model = useModel(() => new HomeModel(api, nickname));
  const t = messages();
  useTitle(() => null);
  const { create, join, creating, joining, rejoined } = model;
  return (
    <main id="main" class="page" data-testid="home-page">
      <Heading level={1} focus={navigations.value > 0}>
        {t.homeTitle(nickname)}
      </Heading>
      <p class="lead">{t.homeLead}</p>
      <OpenStudies api={api} />

      <section class="card" aria-labelledby="create-heading">
        <h2 id="create-heading">{t.createTitle}</h2>
        <Form
          submission={creating}
          onSubmit={model.createStudy}
          submitLabel={t.createSubmit}
          testId="create-form"
          deferSchemas
          next={() => void (create.mode.value === 'group' ? pages.room() : pages.study()).catch(() => {})}
        >
          <RadioGroup
            name="mode"
            legend={t.modeLegend}
            value={create.mode}
            options={[
              { value: 'solo', label: t.modeSolo, hint: t.modeSoloHint },
              { value: 'group', label: t.modeGroup, hint: t.modeGroupHint },
            ]}
          />
          <TextField
            id="study-name"
            label={t.studyName}
            hint={t.studyNameHint}
            value={create.name}
            error={creating.fields.value.name}
            maxLength={LIMITS.studyName.max}
            required
          />
          <div class="row">
            <SelectField
              id="study-cycles"
              label={t.cycles}
              value={create.cycles}
              error={creating.fields.value.totalCycles}
              options={CYCLE_CHOICES.map((n) => ({ value: String(n), label: t.cyclesOption(n) }))}
            />
            <SelectField
              id="study-minutes"
              label={t.minutesPerCycle}
              value={create.minutes}
              error={creating.fields.value.minutesPerCycle}
              options={MINUTE_CHOICES.map((n) => ({ value: String(n), label: t.minutesOption(n) }))}
            />
          </div>
        </Form>
      </section>

      <section class="card" aria-labelledby="join-heading">
        <h2 id="join-heading">{t.joinTitle}</h2>
        <p class="hint">{t.joinLead}</p>
        <Form
          submission={joining}
          onSubmit={model.joinStudy}
          submitLabel={t.joinSubmit}
          testId="join-form"
          deferSchemas
          next={() => void pages.room().catch(() => {})}
        >
          <TextField
            id="join-code"
            label={t.joinCode}
            hint={t.joinCodeHint}
            value={join.code}
            error={joining.fields.value.code}
            maxLength={6}
            autoCapitalize="characters"
            required
          />
          <NicknameField
            id="join-nickname"
            label={t.joinNickname}
            value={join.nickname}
            error={joining.fields.value.nickname}
          />
        </Form>
        <p class="notice-inline" role="status" data-testid="rejoined">
          {rejoined.value ? (
            <>
              {t.rejoinedAs(rejoined.value[0])} <Link href={paths.room(rejoined.value[1])}>{t.backToStudy}</Link>
            </>
          ) : null}
        </p>
      </section>
    </main>
  );
}
