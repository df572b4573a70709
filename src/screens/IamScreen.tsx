/**
 * The IAM screen: the s3_upload policy, the DataProcessor role, its trust, the attachment and
 * the instance profile, each present / missing / drifted / cannot check, with the selected
 * piece's detail beneath. The plan sits under it; `a` applies it after a y/N question and the
 * apply's progress (IAM's eventual-consistency waits included) replaces the plan as it runs.
 */
import { Box, Text } from 'ink';
import { useLatestInput } from './hooks/use-latest-input.js';
import { useMemo, useRef, useState } from 'react';
import { formatPlan } from '../services/iam/describe.js';
import type { PolicyFlavour } from '../services/iam/policy-documents.js';
import type { IamService } from './console-services.js';
import { cell, fit } from './format.js';
import { useIam, type ApplyState } from './hooks/use-iam.js';
import { useKeyCapture } from './hooks/use-key-capture.js';
import { useListCursor } from './hooks/use-list-cursor.js';
import { changes, pieceDetail, pieceRows, verdictLine, type ToneLine } from './iam-lines.js';
import { windowStart } from './list-window.js';
import { useTheme, type Theme } from './theme.js';

/** Props of IamScreen. */
export interface IamScreenProps {
  readonly iam: IamService;
  readonly width: number;
  readonly height: number;
  /** Open the setup wizard. */
  readonly onWizard: () => void;
}

/** The IAM screen. */
export function IamScreen({ iam, width, height, onWizard }: IamScreenProps) {
  const theme = useTheme();
  const [flavour, setFlavour] = useState<PolicyFlavour>('least-privilege');
  const wanted = useMemo(() => ({ flavour, ecs: false }), [flavour]);
  const { check, apply, start, cancel, recheck } = useIam(iam, wanted);
  const cursor = useListCursor();
  const [confirming, setConfirming] = useState(false);
  const [notice, setNotice] = useState<string>();
  const busy = apply.status === 'applying';
  // While asking or applying, a stray digit must not switch screens and cut the apply short.
  useKeyCapture(confirming || busy);

  const ready = check.status === 'ready' ? check : undefined;
  const rows = ready ? pieceRows(ready.check) : [];
  // A check that arrives re-renders before Ink re-subscribes this screen's key handler, so
  // the handler reads what was last drawn from here rather than from its own closure.
  const drawn = useRef({ ready, busy, confirming, rows: rows.length });
  drawn.current = { ready, busy, confirming, rows: rows.length };

  useLatestInput((input, key) => {
    const now = drawn.current;
    if (now.confirming) {
      setConfirming(false);
      if (input === 'y' && now.ready) return start(now.ready.plan);
      return setNotice('not applied: nothing was changed');
    }
    if (now.busy) return input === 'x' ? cancel() : undefined;

    setNotice(undefined);
    if (input === 'c') return recheck();
    if (input === 'o' || input === 'l') {
      recheck();
      return setFlavour(input === 'o' ? 'original' : 'least-privilege');
    }
    if (input === 'w') return onWizard();
    if (input === 'a') {
      if (!now.ready || now.ready.refreshing) return setNotice('wait until the check has finished');
      if (now.ready.plan.steps.length === 0) return setNotice('nothing to apply');
      return setConfirming(true);
    }
    if (key.upArrow || input === 'k') cursor.move(-1, now.rows);
    if (key.downArrow || input === 'j') cursor.move(1, now.rows);
  });

  const tableRows = Math.min(rows.length, Math.max(1, height - 3));
  const top = windowStart(rows.length, cursor.index, tableRows);

  const line = (item: ToneLine, index: number) => (
    <Text key={index} wrap="truncate-end" color={toneColour(item.tone, theme)}>
      {fit(item.text, width)}
    </Text>
  );

  if (!ready) {
    const lines: ToneLine[] =
      check.status === 'error'
        ? [
            { text: check.message, tone: 'bad' },
            ...(check.hint ? [{ text: `next: ${check.hint}` }] : []),
            { text: 'c checks again' },
          ]
        : [{ text: 'checking s3_upload, DataProcessor and its instance profile…' }];
    return (
      <Box flexDirection="column" height={height}>
        <Text bold wrap="truncate-end">
          {fit(`IAM · s3_upload ${flavour}`, width)}
        </Text>
        {lines.slice(0, height - 1).map(line)}
      </Box>
    );
  }

  const { check: found, plan } = ready;
  const target = found.desired.target;
  const lower = Math.max(0, height - tableRows - 3);
  const detail = pieceDetail(found, cursor.index);
  const second = apply.status === 'idle' ? formatPlan(plan).map((text) => ({ text })) : log(apply);
  const secondRows = Math.min(second.length, Math.max(Math.ceil(lower / 2), lower - detail.length));
  // The plan reads from its top; a running apply is followed at its newest line.
  const shown = apply.status === 'idle' ? second.slice(0, secondRows) : second.slice(-secondRows);
  const status = confirming
    ? {
        text: `apply ${changes(plan.steps.length)} to IAM? y/N (account ${target.accountId})`,
        tone: 'warn' as const,
      }
    : busy
      ? { text: `applying: ${apply.current ?? 'starting'}… x cancels` }
      : notice
        ? { text: notice }
        : verdictLine(found, plan);

  return (
    <Box flexDirection="column" height={height}>
      <Text bold wrap="truncate-end">
        {fit(
          `IAM for s3://${target.bucket} in account ${target.accountId} · s3_upload ` +
            `${target.flavour} (o/l)${ready.refreshing ? ' · checking…' : ''}`,
          width,
        )}
      </Text>
      <Text bold wrap="truncate-end">
        {fit(`${cell('PIECE', 10)}${cell('STATE', 14)}RESOURCE`, width)}
      </Text>
      {rows.slice(top, top + tableRows).map((row, index) => (
        <Text
          key={row.label}
          wrap="truncate-end"
          inverse={top + index === cursor.index}
          color={toneColour(row.tone, theme)}
        >
          {fit(`${cell(row.label, 10)}${cell(row.state, 14)}${row.resource}`, width)}
        </Text>
      ))}
      <Box flexDirection="column" height={lower}>
        {detail.slice(0, lower - secondRows).map(line)}
        {shown.map((item, index) => line(item, 1000 + index))}
      </Box>
      {line(status, -1)}
    </Box>
  );
}

/** The apply's lines, and how it ended when it did not succeed. */
function log(apply: ApplyState): ToneLine[] {
  if (apply.status === 'idle') return [];
  const lines: ToneLine[] = [{ text: 'apply:' }, ...apply.lines];
  if (apply.status === 'cancelled') {
    lines.push({
      text: 'cancelled: the steps above were done; each is safe to repeat, a applies the rest',
      tone: 'warn',
    });
  }
  if (apply.status === 'failed') {
    lines.push({ text: apply.message, tone: 'bad' });
    if (apply.hint) lines.push({ text: `next: ${apply.hint}` });
  }

  return lines;
}

/** A tone as the theme colours it. */
export function toneColour(tone: ToneLine['tone'], theme: Theme): string | undefined {
  return tone === undefined ? undefined : theme[tone];
}
