/**
 * Colours, or none: with NO_COLOR or --no-color every colour prop is dropped, so the screens
 * never decide this themselves.
 */
import { createContext, useContext, type ReactNode } from 'react';

/** Named colours of the console. */
export interface Theme {
  readonly accent: string | undefined;
  readonly good: string | undefined;
  readonly warn: string | undefined;
  readonly bad: string | undefined;
  readonly dim: boolean;
}

const colourful: Theme = { accent: 'cyan', good: 'green', warn: 'yellow', bad: 'red', dim: true };
const plain: Theme = {
  accent: undefined,
  good: undefined,
  warn: undefined,
  bad: undefined,
  dim: false,
};

const ThemeContext = createContext<Theme>(colourful);

/** Provide the theme to every screen below. */
export function ThemeProvider({
  noColor,
  children,
}: {
  readonly noColor: boolean;
  readonly children: ReactNode;
}) {
  return (
    <ThemeContext.Provider value={noColor ? plain : colourful}>{children}</ThemeContext.Provider>
  );
}

/** The current theme. */
export function useTheme(): Theme {
  return useContext(ThemeContext);
}
