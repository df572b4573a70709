/**
 * A selection in a list that key handlers can trust: keys may arrive faster than renders (a
 * fast typist over SSH, a paste), so moves update a ref at once and the state for drawing.
 */
import { useCallback, useRef, useState } from 'react';
import { moveSelection } from '../list-window.js';

/** The selected index, and ways to move it that see every earlier key. */
export interface ListCursor {
  readonly index: number;
  /** The index as of the last key, even before the next render. */
  current(): number;
  move(delta: number, total: number): void;
  set(index: number): void;
}

/** A cursor starting at 0. */
export function useListCursor(): ListCursor {
  const ref = useRef(0);
  const [index, setIndex] = useState(0);

  const set = useCallback((next: number) => {
    ref.current = next;
    setIndex(next);
  }, []);
  const move = useCallback(
    (delta: number, total: number) => set(moveSelection(ref.current, delta, total)),
    [set],
  );

  return { index, current: () => ref.current, move, set };
}
