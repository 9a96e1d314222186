/** The app shell: the page, and the version notice above it. */
import { UpdateNotice } from './compat/notice.tsx';
import type { CompatModel } from './compat/model.ts';
import { HomePage } from './pages/home.tsx';

/** Root component. */
export function App({ compat }: { compat: CompatModel }) {
  return (
    <>
      <UpdateNotice compat={compat} />
      <HomePage />
    </>
  );
}
