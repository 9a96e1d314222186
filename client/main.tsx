/** Client entry: builds the app-wide models, wires them to the page, renders. */
import { render } from 'preact';
import { App } from './app.tsx';
import { buildInfo } from './build-info.ts';
import { createCompatModel } from './compat/model.ts';
import { watchVersion } from './compat/watch.ts';
import { loadLocale } from './i18n/locale.ts';
import { createIdentity } from './identity/store.ts';
import { createApi } from './net/api.ts';
import { createHttp } from './net/http.ts';
import { now } from './time/now.ts';
import './styles.css';

const compat = createCompatModel({
  now,
  reload: () => location.reload(),
  storage: sessionStorage,
  isHidden: () => document.visibilityState === 'hidden',
  buildId: buildInfo.id,
});
const identity = createIdentity(localStorage);
const http = createHttp(compat, {
  token: () => identity.current.peek()?.token ?? null,
  renewed: (token) => identity.renew(token),
  onUnauthorized: () => identity.expire(),
});
const api = createApi(http);
watchVersion(http, compat);

// The catalog of the page's language is a chunk of its own; render once it is here.
const root = document.getElementById('app');
if (root)
  loadLocale().then(
    () => render(<App compat={compat} identity={identity} api={api} />, root),
    () => {
      root.textContent = 'Haru Study could not load. Check your connection and reload the page.';
    },
  );
