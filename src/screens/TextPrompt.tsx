/** A one-line text field: typed characters, backspace, enter to accept, esc to cancel. */
import { Text, useInput } from 'ink';
import { useRef, useState } from 'react';
import { useKeyCapture } from './hooks/use-key-capture.js';

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

  useInput((input, key) => {
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
