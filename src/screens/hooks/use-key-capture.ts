/**
 * While a screen reads text (a filter, a date), every key belongs to it: the shell's own
 * keys (q, digits, ?) must not fire. Screens say so through this context.
 */
import { createContext, useContext, useEffect } from 'react';

/** Setter the shell provides. */
export const KeyCaptureContext = createContext<(captured: boolean) => void>(() => undefined);

/** Tell the shell that this screen is reading text while `captured` is true. */
export function useKeyCapture(captured: boolean): void {
  const setCaptured = useContext(KeyCaptureContext);

  useEffect(() => {
    setCaptured(captured);
    return () => setCaptured(false);
  }, [captured, setCaptured]);
}
