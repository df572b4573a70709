/**
 * Ink's useInput, bound once, calling the handler of the last committed render. Ink re-binds a
 * changed handler in an effect, and React may run that effect only after the next key has
 * arrived (a loaded machine, a quick typist): the key then reached the previous render's
 * handler and was judged by stale state, so a y/N answer was read as a plain key and the
 * question stayed on screen. A binding that never changes also keeps a screen's handler ahead
 * of the prompts it opens, which are bound after it.
 */
import { useInput, type Key } from 'ink';
import { createContext, useCallback, useContext, useLayoutEffect, useRef } from 'react';

/**
 * False while the screen under it is covered (the help overlay): its handlers stay bound but
 * hear nothing, so the screen keeps its state and a key meant for the overlay moves nothing.
 */
export const InputActiveContext = createContext(true);

/** Call `handler` for every key; it may change on every render. */
export function useLatestInput(handler: (input: string, key: Key) => void): void {
  const latest = useRef(handler);

  // A layout effect runs as the render commits, before any later key can be read.
  useLayoutEffect(() => {
    latest.current = handler;
  });

  useInput(
    useCallback((input: string, key: Key) => latest.current(input, key), []),
    { isActive: useContext(InputActiveContext) },
  );
}
