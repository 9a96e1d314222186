/** A plain link that navigates in-app, keeping the page (and its state) instead of reloading. */
import type { AnchorHTMLAttributes } from 'preact';
import { navigate } from './router.ts';

/** An `<a>` whose plain clicks go through the router; modified clicks (new tab) stay the browser's. */
export function Link({ href, ...props }: AnchorHTMLAttributes & { href: string }) {
  return (
    <a
      {...props}
      href={href}
      onClick={(event) => {
        if (
          event.defaultPrevented ||
          event.button !== 0 ||
          event.metaKey ||
          event.ctrlKey ||
          event.shiftKey ||
          event.altKey
        )
          return;
        event.preventDefault();
        navigate(href);
      }}
    />
  );
}
