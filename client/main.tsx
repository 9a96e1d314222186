/** Client entry: builds the models, wires them to the page, renders. */
import { render } from 'preact';
import { App } from './app.tsx';
import { watchVersion } from './compat/watch.ts';
import { createCompatModel } from './compat/model.ts';
import { createHttp } from './net/http.ts';
import './styles.css';

const compat = createCompatModel({
  now: () => Date.now(),
  reload: () => location.reload(),
  storage: sessionStorage,
  isHidden: () => document.visibilityState === 'hidden',
});
watchVersion(createHttp(compat), compat);

const root = document.getElementById('app');
if (root) render(<App compat={compat} />, root);
