/**
 * While a screen reads text (a filter, a date), every key belongs to it: the shell's own
 * keys (q, digits, ?) must not fire. Screens say so through this context.
 */
import { createContext, useContext, useLayoutEffect } from 'react';

/** Setter the shell provides. */
export const KeyCaptureContext = createContext<(captured: boolean) => void>(() => undefined);

/** Tell the shell that this screen is reading text while `captured` is true. */
export function useKeyCapture(captured: boolean): void {
  const setCaptured = useContext(KeyCaptureContext);

  // A layout effect runs as the screen commits, before the next key can be read.
  useLayoutEffect(() => {
    setCaptured(captured);
    return () => setCaptured(false);
  }, [captured, setCaptured]);
}
