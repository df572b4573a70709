/**
 * The bucket browser: one prefix level at a time (raw/, bars/, manifests/ and dates below),
 * sizes and times, a preview of the opened object, and a key to copy it to the data directory.
 */
import { Box, Text } from 'ink';
import { useRef, useState } from 'react';
import type { ConsoleServices } from './console-services.js';
import { cell, fit, formatBytes } from './format.js';
import { useBucketListing } from './hooks/use-bucket-listing.js';
import { useLatestInput } from './hooks/use-latest-input.js';
import { useObjectPreview } from './hooks/use-object-preview.js';
import { useListCursor } from './hooks/use-list-cursor.js';
import { moveByKey } from './list-keys.js';
import { windowStart } from './list-window.js';
import { ObjectPreview } from './ObjectPreview.js';
import { TextPrompt } from './TextPrompt.js';
import { useTheme } from './theme.js';

/** Props of BucketScreen. */
export interface BucketScreenProps {
  readonly services: ConsoleServices;
  readonly width: number;
  readonly height: number;
}

interface Entry {
  readonly name: string;
  readonly key: string;
  readonly folder: boolean;
  readonly size?: number;
  readonly modified?: Date;
}

/** The browser. */
export function BucketScreen({ services, width, height }: BucketScreenProps) {
  const theme = useTheme();
  const [prefix, setPrefix] = useState('');
  const [opened, setOpened] = useState<string>();
  const [reload, setReload] = useState(0);
  const cursor = useListCursor();
  const selected = cursor.index;
  const [top, setTop] = useState(0);
  const [filtering, setFiltering] = useState(false);
  const [filter, setFilter] = useState('');
  const [notice, setNotice] = useState<string>();
  const listing = useBucketListing(services.bucket, prefix, reload);

  const level = toEntries(listing.status === 'ready' ? listing.level : undefined, prefix);
  const entries = level.filter((entry) => entry.name.toLowerCase().includes(filter.toLowerCase()));
  const listHeight = Math.max(1, height - 3);
  // A preview hides the list, and Esc closes the preview before it clears the filter.
  const shownFilter = opened ? '' : filter;
  const start = windowStart(entries.length, selected, listHeight, top);
  if (start !== top) setTop(start);
  const current = entries[selected];
  // Read through a ref: several keys can arrive between two renders (a paste), and each must
  // see the entries, preview, filter and prefix that the keys before it left.
  const drawn = useRef({ level, entries, opened, filter, prefix });
  drawn.current = { level, entries, opened, filter, prefix };
  const currentEntry = () => drawn.current.entries[cursor.current()];

  const changeFilter = (value: string) => {
    drawn.current.filter = value;
    setFilter(value);
    cursor.set(0);
  };
  // Clearing keeps the selected entry selected, now at its place in the whole level.
  const clearFilter = () => {
    const key = currentEntry()?.key;
    const index = drawn.current.level.findIndex((entry) => entry.key === key);
    changeFilter('');
    cursor.set(Math.max(0, index));
  };
  const enter = (next: string) => {
    // A notice answers the key before it; in another folder it would read as this one's.
    setNotice(undefined);
    drawn.current.prefix = next;
    setPrefix(next);
    setTop(0);
    changeFilter('');
  };
  const open = (key: string | undefined) => {
    setNotice(undefined);
    drawn.current.opened = key;
    setOpened(key);
  };
  // Back out one layer at a time: the preview, then the filter, then the prefix.
  const back = () => {
    const { opened, filter, prefix } = drawn.current;
    if (opened) return open(undefined);
    if (filter) return clearFilter();
    if (prefix !== '') enter(prefix.replace(/[^/]*\/$/, ''));
  };
  // The listing row and the preview download through the same call and report the same way.
  const download = (key: string) => {
    setNotice(`downloading ${key}…`);
    services.bucket.download(key).then(
      (path) => setNotice(`saved ${path}`),
      (error: unknown) => setNotice(errorText(error)),
    );
  };

  useLatestInput((input, key) => {
    // The filter prompt takes the keys; this handler runs first and leaves them to it.
    if (filtering) return;
    if (key.escape || key.backspace || key.delete || key.leftArrow) return back();
    const { opened, entries } = drawn.current;
    if (opened) return input === 'd' ? download(opened) : undefined;

    if (key.return || key.rightArrow) {
      const entry = currentEntry();
      if (!entry) return;
      return entry.folder ? enter(entry.key) : open(entry.key);
    }
    if (input === '/' || input === 'R') setNotice(undefined);
    if (input === '/') return setFiltering(true);
    if (input === 'R') return setReload((count) => count + 1);
    const entry = currentEntry();
    // On a folder, say why nothing happens: an old "saved …" line read as this key's answer.
    if (input === 'd' && entry?.folder) {
      return setNotice(`d downloads objects; ${entry.name} is a folder (enter opens it)`);
    }
    if (input === 'd' && entry) return download(entry.key);
    moveByKey(input, key, cursor, entries.length, listHeight);
  });

  return (
    <Box flexDirection="column" height={height}>
      <Text bold wrap="truncate-end">
        {fit(`s3://${services.config.bucket}/${prefix}`, width)}
      </Text>
      {opened ? (
        <Preview services={services} objectKey={opened} width={width} height={height - 2} />
      ) : (
        <Box flexDirection="column" height={listHeight + 1}>
          <Text bold wrap="truncate-end">
            {fit(
              `${cell('NAME', Math.max(10, width - 34))}${cell('SIZE', 10, 'right')}  MODIFIED`,
              width,
            )}
          </Text>
          {listing.status === 'loading' && <Text>listing…</Text>}
          {listing.status === 'error' && (
            <Box flexDirection="column">
              <Text color={theme.bad} wrap="truncate-end">
                {fit(listing.message, width)}
              </Text>
              {listing.hint && (
                <Text wrap="truncate-end">{fit(`next: ${listing.hint}`, width)}</Text>
              )}
            </Box>
          )}
          {listing.status === 'ready' && entries.length === 0 && (
            <Text>
              {filter ? 'nothing matches the filter' : 'empty: nothing under this prefix'}
            </Text>
          )}
          {entries.slice(start, start + listHeight).map((entry, index) => (
            <Text
              key={entry.key}
              wrap="truncate-end"
              inverse={start + index === selected}
              color={entry.folder ? theme.accent : undefined}
            >
              {fit(entryLine(entry, width), width)}
            </Text>
          ))}
        </Box>
      )}
      {filtering ? (
        <TextPrompt
          label="filter: "
          initial={filter}
          onChange={changeFilter}
          onSubmit={() => setFiltering(false)}
          onCancel={() => {
            changeFilter('');
            setFiltering(false);
          }}
        />
      ) : (
        <Text wrap="truncate-end">
          {fit(
            footerText(
              listing,
              { shown: entries.length, of: level.length, filter: shownFilter },
              notice,
            ),
            width,
          )}
        </Text>
      )}
    </Box>
  );
}

function Preview(props: {
  services: ConsoleServices;
  objectKey: string;
  width: number;
  height: number;
}) {
  const preview = useObjectPreview(props.services.bucket, props.objectKey);

  return (
    <ObjectPreview
      objectKey={props.objectKey}
      preview={preview}
      width={props.width}
      height={props.height}
    />
  );
}

function toEntries(
  level:
    | {
        folders: readonly string[];
        objects: readonly { key: string; size: number; lastModified?: Date }[];
      }
    | undefined,
  prefix: string,
): Entry[] {
  if (!level) return [];

  return [
    ...level.folders.map((key) => ({ name: key.slice(prefix.length), key, folder: true })),
    ...level.objects.map((object) => ({
      name: object.key.slice(prefix.length),
      key: object.key,
      folder: false,
      size: object.size,
      modified: object.lastModified,
    })),
  ];
}

function entryLine(entry: Entry, width: number): string {
  const nameWidth = Math.max(10, width - 34);
  const size = entry.folder ? '' : formatBytes(entry.size ?? 0);
  const modified = entry.modified
    ? entry.modified.toISOString().slice(0, 16).replace('T', ' ')
    : '';

  return `${cell(entry.name, nameWidth)}${cell(size, 10, 'right')}  ${modified}`;
}

function footerText(
  listing: { status: string; level?: { truncated: boolean } },
  count: { shown: number; of: number; filter: string },
  notice?: string,
) {
  // An applied filter stays in view after the last action's result: it is why entries are
  // missing from the list.
  const filtered = count.filter
    ? `filtered "${count.filter}": ${count.shown} of ${count.of} · esc clears`
    : undefined;
  if (notice) return filtered ? `${notice} · ${filtered}` : notice;
  if (listing.status !== 'ready') return '';

  return (
    filtered ?? `${count.shown} entries${listing.level?.truncated ? ' (first 10,000 only)' : ''}`
  );
}

function errorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const hint = (error as { hint?: string }).hint;

  return hint ? `${message} — ${hint}` : message;
}
