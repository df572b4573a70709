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
    useCallback((input: string, key: Key) => {
      for (const [one, oneKey] of oneByOne(input, key)) latest.current(one, oneKey);
    }, []),
    { isActive: useContext(InputActiveContext) },
  );
}

const backspace = '\b';
const del = '\x7f';
const enter = '\r';

/**
 * Ink hands keys that arrived in one read as one string with no key flags ("jjj" from tmux
 * send-keys j j j, "\x7f\x7f" from two quick backspaces), and handlers compare single keys, so
 * the whole burst was dropped. Split such a burst into the keys Ink reports when each comes
 * alone (parse-keypress.js and hooks/use-input.js in ink/build): a printable character as
 * itself, with shift for A-Z; \x7f as delete and \b as backspace, both with empty input.
 * Enter (\r) ending the burst is the return key, as a quick "5, Enter" or "Backspace, Enter"
 * sends it. A burst holding any other control character, or a line break before its end (a
 * pasted block of lines), stays whole as Ink gave it, so a paste cannot submit a prompt and
 * type its remaining lines into the screen; pasted text, split, types the same.
 */
export function oneByOne(input: string, key: Key): (readonly [string, Key])[] {
  const characters = [...input];
  const flagged = Object.values(key).some((value) => value === true);
  const splittable = characters.every(
    (character, index) =>
      character === backspace ||
      character === del ||
      character >= ' ' ||
      (character === enter && index === characters.length - 1),
  );
  if (characters.length < 2 || flagged || !splittable) return [[input, key]];

  return characters.map((character) => {
    if (character === backspace) return ['', { ...key, backspace: true }];
    if (character === del) return ['', { ...key, delete: true }];
    if (character === enter) return ['', { ...key, return: true }];

    return [character, { ...key, shift: /^[A-Z]$/.test(character) }];
  });
}
