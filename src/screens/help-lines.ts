/**
 * The help overlay's text, laid out for a height: kept apart from the drawing so that the shell
 * knows how many pages there are when it decides what a key does.
 */
import { fit } from './format.js';
import { globalKeys, type KeyHelp } from './keys.js';

/** One line of the overlay. */
export interface HelpLine {
  readonly text: string;
  readonly heading: boolean;
}

const everywhere: readonly KeyHelp[] = [
  ...globalKeys,
  { keys: 'esc/backspace', does: 'back / cancel' },
  { keys: 'enter', does: 'open / confirm' },
];

/**
 * The overlay as pages of at most `height` lines, the last line of each saying how to go on.
 * Blank lines between the sections go first when space is short (the Run screen's keys at
 * 80×24 pushed the close hint off the screen); when even that does not fit, the keys are split
 * over pages, so none is cut without saying so.
 */
export function helpPages(
  screen: string,
  keys: readonly KeyHelp[],
  width: number,
  height: number,
): HelpLine[][] {
  const entry = (key: KeyHelp): HelpLine => ({
    text: fit(`  ${key.keys.padEnd(14)} ${key.does}`, width),
    heading: false,
  });
  const heading = (text: string): HelpLine => ({ text, heading: true });
  const blank: HelpLine = { text: '', heading: false };
  const sections = [
    [heading(`${screen} keys`), ...keys.map(entry)],
    [heading('everywhere'), ...everywhere.map(entry)],
  ];

  const roomy = [...(sections[0] ?? []), blank, ...(sections[1] ?? []), blank];
  if (roomy.length < height) return [[...roomy, hint('press any key to close', width)]];

  const compact = sections.flat();
  if (compact.length < height) return [[...compact, hint('press any key to close', width)]];

  const perPage = Math.max(1, height - 1);
  const count = Math.ceil(compact.length / perPage);

  return Array.from({ length: count }, (_, page) => [
    ...compact.slice(page * perPage, (page + 1) * perPage),
    hint(
      page + 1 < count
        ? `page ${page + 1}/${count} · space or pgdn: more · any other key closes`
        : `page ${page + 1}/${count} · any key closes`,
      width,
    ),
  ]);
}

function hint(text: string, width: number): HelpLine {
  return { text: fit(text, width), heading: false };
}
