/**
 * The EC2 screen: the machine found by its tag (state, type, AMI, addresses, role, IMDS, the
 * end of its console), the last upload and the next runs; stop, start and terminate after a
 * question that names the instance; a launch after its plan has been shown.
 */
import { Box, Text } from 'ink';
import { useRef, useState } from 'react';
import type { LifecycleAction } from '../services/ec2/lifecycle.js';
import { machineLabel, statusLines } from '../services/ec2/text.js';
import type { Ec2Service } from './ec2-service.js';
import { fit } from './format.js';
import { useEc2 } from './hooks/use-ec2.js';
import { useKeyCapture } from './hooks/use-key-capture.js';
import { useLatestInput } from './hooks/use-latest-input.js';
import { TextPrompt } from './TextPrompt.js';
import { useTheme } from './theme.js';

/** Props of Ec2Screen. */
export interface Ec2ScreenProps {
  readonly ec2: Ec2Service;
  readonly width: number;
  readonly height: number;
}

type Mode =
  | { readonly kind: 'browse' }
  | { readonly kind: 'confirm'; readonly action: Exclude<LifecycleAction, 'terminate'> }
  | { readonly kind: 'terminate' }
  | { readonly kind: 'image' }
  | { readonly kind: 'launch' };

/** The screen. */
export function Ec2Screen({ ec2, width, height }: Ec2ScreenProps) {
  const theme = useTheme();
  const { state, refresh, change, plan, launch, dropPlan } = useEc2(ec2);
  const [mode, setModeState] = useState<Mode>({ kind: 'browse' });
  // Keys may arrive before Ink re-binds the handler after a render: the ref is always current.
  const modeRef = useRef<Mode>(mode);
  const setMode = (next: Mode) => {
    modeRef.current = next;
    setModeState(next);
  };
  const [selected, setSelected] = useState(0);
  const [notice, setNotice] = useState<string>();
  useKeyCapture(mode.kind === 'confirm' || mode.kind === 'launch');

  const machines = state.status?.machines ?? [];
  const machine = machines[Math.min(selected, machines.length - 1)]?.machine;
  const browse = () => setMode({ kind: 'browse' });

  useLatestInput((input, key) => {
    const mode = modeRef.current;
    // An open prompt takes the keys; this handler runs first and leaves them to it.
    if (mode.kind === 'terminate' || mode.kind === 'image') return;
    if (mode.kind === 'confirm') {
      if (input === 'y' && machine) void change(mode.action, machine.instanceId);
      return browse();
    }
    if (mode.kind === 'launch') {
      if (input === 'y') void launch();
      else dropPlan();
      return browse();
    }
    if (state.busy) return;

    setNotice(undefined);
    if (input === 'r') return refresh();
    if (input === 's' && machine) return setMode({ kind: 'confirm', action: 'stop' });
    if (input === 'S' && machine) return setMode({ kind: 'confirm', action: 'start' });
    if (input === 'T' && machine) return setMode({ kind: 'terminate' });
    if (input === 'L') return setMode({ kind: 'image' });
    if (key.downArrow || input === 'j')
      setSelected((index) => Math.min(index + 1, machines.length - 1));
    if (key.upArrow || input === 'k') setSelected((index) => Math.max(index - 1, 0));
  });

  if (state.plan && mode.kind !== 'launch' && !state.busy) setMode({ kind: 'launch' });

  const body = state.plan ? [...state.plan.lines] : state.status ? statusLines(state.status) : [];
  const logLines = state.log.slice(-Math.max(0, Math.min(6, height - body.length - 3)));
  const shown = body.slice(0, Math.max(1, height - logLines.length - 2));

  return (
    <Box flexDirection="column" height={height}>
      <Text bold wrap="truncate-end">
        {fit(
          state.loading ? 'EC2: looking for the machine…' : `EC2 in ${state.status?.region ?? ''}`,
          width,
        )}
      </Text>
      {shown.map((line, index) => (
        <Text key={index} wrap="truncate-end">
          {fit(line, width)}
        </Text>
      ))}
      {logLines.map((line, index) => (
        <Text key={`log-${index}`} wrap="truncate-end" dimColor={theme.dim}>
          {fit(line, width)}
        </Text>
      ))}
      <Box flexGrow={1} />
      {mode.kind === 'terminate' && machine ? (
        <TextPrompt
          label={`type ${machine.instanceId} to terminate it (its disk is deleted): `}
          onCancel={browse}
          onSubmit={(typed) => {
            // A typo is answered, not ignored: the operator learns the machine was left alone.
            if (typed.trim() === machine.instanceId) void change('terminate', machine.instanceId);
            else setNotice(`id does not match ${machine.instanceId}; nothing terminated`);
            browse();
          }}
        />
      ) : mode.kind === 'image' ? (
        <TextPrompt
          label="container image to run (e.g. registry/tickops:1.0): "
          onCancel={browse}
          onSubmit={(image) => {
            browse();
            if (image.trim()) void plan(image.trim());
          }}
        />
      ) : (
        <Text
          wrap="truncate-end"
          color={
            state.error ? theme.bad : mode.kind === 'browse' && !notice ? undefined : theme.warn
          }
        >
          {fit(statusText(mode, machine ? machineLabel(machine) : undefined, state, notice), width)}
        </Text>
      )}
    </Box>
  );
}

function statusText(
  mode: Mode,
  machine: string | undefined,
  state: { busy: boolean; error?: { message: string; hint: string | undefined } },
  notice: string | undefined,
): string {
  if (mode.kind === 'confirm') return `${mode.action} ${machine ?? ''}? y/N`;
  if (mode.kind === 'launch') return 'launch this machine? y/N';
  if (notice) return notice;
  if (state.error)
    return `${state.error.message}${state.error.hint ? ` — ${state.error.hint}` : ''}`;
  if (state.busy) return 'working…';

  return machine ? `selected ${machine}` : 'no machine yet: L plans a launch';
}
