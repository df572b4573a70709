/** The current screen's keys on one line. */
import { Text } from 'ink';
import { fit } from './format.js';
import type { KeyHelp } from './keys.js';
import { useTheme } from './theme.js';

/** One line of `key action` pairs, cut to the width. */
export function Footer({
  keys,
  width,
}: {
  readonly keys: readonly KeyHelp[];
  readonly width: number;
}) {
  const theme = useTheme();
  // Help and quit first: on a narrow terminal the end of the line is what gets cut.
  const text = [{ keys: '?', does: 'help' }, { keys: 'q', does: 'quit' }, ...keys]
    .map((key) => `${key.keys} ${key.does}`)
    .join('  ');

  return (
    <Text wrap="truncate-end" dimColor={theme.dim}>
      {fit(text, width)}
    </Text>
  );
}
