/**
 * Pages loaded on first visit with `import()`, so the first load stays small.
 * Old chunks stay fetchable mid-rollout because KV keeps every build (DESIGN §5).
 */
import { signal } from '@preact/signals';
import type { ComponentType, JSX } from 'preact';

/** A component that renders `fallback(failed)` until the module behind `load` arrives. */
export function lazy<P extends object>(
  load: () => Promise<ComponentType<P>>,
  fallback: (failed: boolean) => JSX.Element,
): ComponentType<P> {
  const loaded = signal<ComponentType<P> | null>(null);
  const failed = signal(false);
  let started: Promise<void> | null = null;
  return (props: P) => {
    if (started === null) {
      started = load().then(
        (component) => {
          loaded.value = component;
        },
        () => {
          failed.value = true;
          started = null;
        },
      );
    }
    const Page = loaded.value;
    return Page ? <Page {...props} /> : fallback(failed.value);
  };
}
