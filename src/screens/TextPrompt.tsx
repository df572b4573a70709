/** A one-line text field: typed characters, backspace, enter to accept, esc to cancel. */
import { Text } from 'ink';
import { useLayoutEffect, useRef, useState } from 'react';
import { useKeyCapture } from './hooks/use-key-capture.js';
import { useLatestInput } from './hooks/use-latest-input.js';

/** Props of TextPrompt. */
export interface TextPromptProps {
  readonly label: string;
  readonly initial?: string;
  readonly onSubmit: (value: string) => void;
  readonly onCancel: () => void;
  /** Called on every change, for filters that apply as one types. */
  readonly onChange?: (value: string) => void;
}

/** The field; it holds the keyboard while mounted. */
export function TextPrompt({ label, initial = '', onSubmit, onCancel, onChange }: TextPromptProps) {
  const [value, setValue] = useState(initial);
  // Keys can arrive faster than renders; the ref always holds what has been typed so far.
  const typed = useRef(initial);
  useKeyCapture(true);
  // Ink unbinds a closed prompt in an effect that can run after the next key: that key is the
  // screen's, and must not also edit or answer a prompt that is gone.
  const closed = useRef(false);
  useLayoutEffect(() => {
    closed.current = false;
    return () => {
      closed.current = true;
    };
  }, []);

  useLatestInput((input, key) => {
    if (closed.current) return;
    if (key.return) return onSubmit(typed.current);
    if (key.escape) return onCancel();
    if (key.ctrl || key.meta) return;

    const current = typed.current;
    const next =
      key.backspace || key.delete ? current.slice(0, -1) : current + input.replace(/[\r\n]/g, '');
    if (next === current) return;
    typed.current = next;
    setValue(next);
    onChange?.(next);
  });

  return (
    <Text wrap="truncate-end">
      {label}
      {value}
      <Text inverse> </Text>
    </Text>
  );
}
