/**
 * A `<dialog>` shown as a modal while `open` is true and closed when it turns
 * false: the one way pages open their confirms, so Escape, focus trapping and
 * the backdrop are the browser's own.
 */
import type { RefObject } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/** The ref to put on the `<dialog>`; the dialog follows `open`. */
export function useModal(open: boolean): RefObject<HTMLDialogElement | null> {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);
  return dialog;
}
