/** Every key of the console: the current screen's, then the global ones. */
import { Box, Text } from 'ink';
import { fit } from './format.js';
import { globalKeys, type KeyHelp } from './keys.js';

/** Props of HelpOverlay. */
export interface HelpOverlayProps {
  readonly screen: string;
  readonly keys: readonly KeyHelp[];
  readonly width: number;
  readonly height: number;
}

/** The help panel, drawn in place of the screen until a key closes it. */
export function HelpOverlay({ screen, keys, width, height }: HelpOverlayProps) {
  const line = (key: KeyHelp) => fit(`  ${key.keys.padEnd(14)} ${key.does}`, width);
  const lines = [
    `${screen} keys`,
    ...keys.map(line),
    '',
    'everywhere',
    ...globalKeys.map(line),
    ...['esc/backspace', 'enter'].map((keysName) =>
      line({ keys: keysName, does: keysName === 'enter' ? 'open / confirm' : 'back / cancel' }),
    ),
    '',
    'press any key to close',
  ].slice(0, height);

  return (
    <Box flexDirection="column" height={height}>
      {lines.map((text, index) => (
        <Text key={index} wrap="truncate-end" bold={index === 0}>
          {text}
        </Text>
      ))}
    </Box>
  );
}
