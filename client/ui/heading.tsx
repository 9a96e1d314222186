/**
 * Headings that take focus when they appear because of something the learner
 * did (a navigation, a step change), so keyboard and screen reader users land
 * on what changed instead of on a button that no longer exists.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/** An `h1`/`h2` that focuses itself on mount when `focus` is set. */
export function Heading(props: {
  level: 1 | 2;
  focus: boolean;
  id?: string;
  testId?: string;
  children: ComponentChildren;
}) {
  const { level, focus, id, testId, children } = props;
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focus) ref.current?.focus();
  }, []);
  const Tag = level === 1 ? 'h1' : 'h2';
  return (
    <Tag ref={ref} tabIndex={-1} id={id} data-testid={testId}>
      {children}
    </Tag>
  );
}
