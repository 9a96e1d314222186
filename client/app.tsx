/**
 * The app shell: header (home, my records, language), the version notice,
 * and the page for the current path. Without an identity every path shows
 * the nickname step first, then its own page.
 */
import type { CompatModel } from './compat/model.ts';
import { UpdateNotice } from './compat/notice.tsx';
import { HomePage } from './home/home.tsx';
import { locale, messages, setLocale } from './i18n/locale.ts';
import { NicknameStep } from './identity/nickname-step.tsx';
import type { IdentityStore } from './identity/store.ts';
import type { Api } from './net/api.ts';
import type { RoomDeps } from './room/model.ts';
import { lazy } from './router/lazy.tsx';
import { Link } from './router/link.tsx';
import { pages } from './router/pages.ts';
import { paths, type Route, route } from './router/router.ts';
import { Heading } from './ui/heading.tsx';

/** While a lazy page loads (or if its chunk could not be fetched). */
function LoadingPage(failed: boolean) {
  const t = messages();
  return (
    <main id="main" class="page">
      {failed ? (
        <p class="alert" role="alert">
          {t.pageLoadFailed}
        </p>
      ) : (
        <p class="loading" role="status">
          {t.loading}
        </p>
      )}
    </main>
  );
}

// Every page past the welcome and home pages loads on first visit (router/pages.ts says when each is fetched early).
const StudyPage = lazy(() => pages.study().then((m) => m.StudyPage), LoadingPage);
const StudyRecordsPage = lazy(() => pages.studyRecords().then((m) => m.StudyRecordsPage), LoadingPage);
const MyRecordsPage = lazy(() => pages.myRecords().then((m) => m.MyRecordsPage), LoadingPage);
const RoomPage = lazy(() => pages.room().then((m) => m.RoomPage), LoadingPage);
const JoinPage = lazy(() => pages.join().then((m) => m.JoinPage), LoadingPage);

function NotFoundPage() {
  const t = messages();
  return (
    <main id="main" class="page" data-testid="not-found-page">
      <Heading level={1} focus={false}>
        {t.notFoundTitle}
      </Heading>
      <p>
        <Link href={paths.home()}>{t.backHome}</Link>
      </p>
    </main>
  );
}

function Page({ current, api, nickname, room }: { current: Route; api: Api; nickname: string; room: RoomDeps }) {
  switch (current.name) {
    case 'home':
      return <HomePage api={api} nickname={nickname} />;
    case 'study':
      return <StudyPage key={current.studyId} api={api} studyId={current.studyId} />;
    case 'room':
      return <RoomPage key={current.studyId} deps={room} studyId={current.studyId} />;
    case 'join':
      return <JoinPage key={current.code} api={api} code={current.code} nickname={nickname} />;
    case 'studyRecords':
      return <StudyRecordsPage key={current.studyId} api={api} studyId={current.studyId} />;
    case 'myRecords':
      return <MyRecordsPage api={api} />;
    case 'notFound':
      return <NotFoundPage />;
  }
}

/** Switches to the other language; named in that language, as language pickers are. */
function LanguageSwitch() {
  const other = locale.value === 'ko' ? 'en' : 'ko';
  return (
    <button
      type="button"
      class="link-button"
      lang={other}
      onClick={() => void setLocale(other).catch(() => {})}
      data-testid="language-switch"
    >
      {other === 'ko' ? '한국어' : 'English'}
    </button>
  );
}

/** Root component. */
export function App({ compat, identity, api }: { compat: CompatModel; identity: IdentityStore; api: Api }) {
  const t = messages();
  const me = identity.current.value;
  const current = route.value;
  return (
    <>
      <a href="#main" class="skip-link">
        {t.skipToContent}
      </a>
      <header class="top">
        <div class="bar">
          <Link href={paths.home()} class="brand" data-testid="home-link">
            {t.appName}
          </Link>
          <nav aria-label={t.mainNav}>
            {me ? (
              <Link
                href={paths.myRecords()}
                aria-current={current.name === 'myRecords' ? 'page' : undefined}
                data-testid="my-records-link"
              >
                {t.myRecords}
              </Link>
            ) : null}
            <LanguageSwitch />
          </nav>
        </div>
        <UpdateNotice compat={compat} />
      </header>
      {me ? (
        <Page
          current={current}
          api={api}
          nickname={me.member.nickname}
          room={{
            api,
            compat,
            token: () => identity.current.peek()?.token ?? null,
            nickname: () => identity.current.peek()?.member.nickname ?? '',
          }}
        />
      ) : (
        <NicknameStep api={api} identity={identity} />
      )}
    </>
  );
}
