/** Every key of the console: the current screen's, then the global ones (see help-lines.ts). */
import { Box, Text } from 'ink';
import type { HelpLine } from './help-lines.js';

/** Props of HelpOverlay. */
export interface HelpOverlayProps {
  /** The page to draw, as helpPages laid it out for this height. */
  readonly lines: readonly HelpLine[];
  readonly height: number;
}

/** The help panel, drawn in place of the screen until a key closes it. */
export function HelpOverlay({ lines, height }: HelpOverlayProps) {
  return (
    <Box flexDirection="column" height={height}>
      {lines.map((line, index) => (
        <Text key={index} wrap="truncate-end" bold={line.heading}>
          {line.text}
        </Text>
      ))}
    </Box>
  );
}
