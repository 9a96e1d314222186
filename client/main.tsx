/** Client entry: builds the app-wide models, wires them to the page, renders. */
import { render } from 'preact';
import { App } from './app.tsx';
import { buildInfo } from './build-info.ts';
import { createCompatModel } from './compat/model.ts';
import { watchVersion } from './compat/watch.ts';
import { createIdentity } from './identity/store.ts';
import { createApi } from './net/api.ts';
import { createHttp } from './net/http.ts';
import { now } from './time/clock.ts';
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

const root = document.getElementById('app');
if (root) render(<App compat={compat} identity={identity} api={api} />, root);
