/**
 * The first-time setup, step by step: who the credentials are, the region, the bucket (with a
 * warning when its global name is probably someone else's), the policy flavour, the plan,
 * the apply and the config file. Esc goes back a step; nothing changes before a y to the plan.
 */
import { Box, Text, useApp } from 'ink';
import { useRef, useState } from 'react';
import type { SetupService } from './console-services.js';
import { fit } from './format.js';
import { useKeyCapture } from './hooks/use-key-capture.js';
import { useLatestInput } from './hooks/use-latest-input.js';
import { useSetup, wizardSteps, type PlanAndBucket } from './hooks/use-setup.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { changes, type ToneLine } from './iam-lines.js';
import { toneColour } from './IamScreen.js';
import { hasChanges, offersSuggestion, stepText } from './setup-lines.js';
import { TextPrompt } from './TextPrompt.js';
import { ThemeProvider, useTheme } from './theme.js';

/** Props of SetupWizard. */
export interface SetupWizardProps {
  readonly setup: SetupService;
  readonly width: number;
  readonly height: number;
  /** Leave the wizard: Esc on the first step, or enter once it is done. */
  readonly onClose: () => void;
}

/** The wizard. */
export function SetupWizard({ setup, width, height, onClose }: SetupWizardProps) {
  const theme = useTheme();
  const wizard = useSetup(setup);
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [problem, setProblem] = useState<string>();
  const { step, identity, bucketCheck, plan } = wizard;
  const applying = wizard.apply.status === 'applying';
  useKeyCapture(confirming || applying);

  const found = bucketCheck.status === 'ready' ? bucketCheck.value : undefined;
  const planned = plan.status === 'ready' ? plan.value : undefined;
  // Steps load asynchronously and re-render before Ink re-subscribes the key handler, so the
  // handler reads what was last drawn from here rather than from its own closure.
  const drawn = useRef({ wizard, found, planned, confirming });
  drawn.current = { wizard, found, planned, confirming };

  useLatestInput((input, key) => {
    const { wizard, found, planned, confirming } = drawn.current;
    const { identity, bucketCheck, plan } = wizard;
    const step = wizard.current();
    // The region and bucket prompts take the keys; this handler runs first and leaves them.
    if (step === 'region' || editing) return;
    if (confirming) {
      setConfirming(false);
      if (input === 'y' && planned) wizard.start(planned.plan);
      else setProblem('not applied: nothing was changed');
      return;
    }
    if (wizard.apply.status === 'applying') return;
    setProblem(undefined);
    if (key.escape) return wizard.back() ? undefined : onClose();

    if (step === 'identity' && key.return) {
      if (identity.status === 'ready') wizard.go('region');
      if (identity.status === 'error') wizard.retry();
    }
    if (step === 'bucket') {
      if (input === 'e') setEditing(true);
      if (input === 's' && found && offersSuggestion(found)) wizard.chooseBucket(found.suggestion);
      if (key.return && bucketCheck.status === 'error') wizard.retry();
      if (key.return && found?.probe === 'forbidden') {
        setProblem(`s3://${found.bucket} cannot be used: e edits the name, s takes the suggestion`);
      } else if (key.return && found) wizard.go('policy');
    }
    if (step === 'policy') {
      if (key.upArrow || key.downArrow || input === 'j' || input === 'k') {
        wizard.chooseFlavour(wizard.flavour === 'original' ? 'least-privilege' : 'original');
      }
      if (input === 'l') wizard.chooseFlavour('least-privilege');
      if (input === 'o') wizard.chooseFlavour('original');
      if (input === 't') wizard.toggleEcs();
      if (key.return) wizard.go('plan');
    }
    if (step === 'plan' && key.return) {
      if (plan.status === 'error') wizard.retry();
      if (planned && hasChanges(planned)) setConfirming(true);
      else if (planned) wizard.start(planned.plan);
    }
    if (step === 'apply' && key.return && wizard.apply.status === 'failed') wizard.back();
    if (step === 'done' && key.return) onClose();
  });

  const body = stepText(wizard, setup.configPath);
  const lines: ToneLine[] = [
    ...body.lines,
    ...(problem ? [{ text: problem, tone: 'bad' as const }] : []),
  ];
  const room = Math.max(0, height - 2);
  // An apply is followed at its newest line; every other step reads from the top.
  const shown = step === 'apply' ? lines.slice(-room) : lines.slice(0, room);
  const account = identity.status === 'ready' ? identity.value.accountId : '?';

  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate-end">
        <Text bold>{'setup '}</Text>
        {wizardSteps.map((name, index) => (
          <Text key={name} inverse={name === step} dimColor={name !== step && theme.dim}>
            {` ${index + 1} ${name} `}
          </Text>
        ))}
      </Text>
      <Box flexDirection="column" height={room}>
        {shown.map((item, index) => (
          <Text key={index} wrap="truncate-end" color={toneColour(item.tone, theme)}>
            {fit(item.text, width)}
          </Text>
        ))}
      </Box>
      {step === 'region' ? (
        <TextPrompt
          label="region: "
          initial={wizard.region}
          onSubmit={(value) => setProblem(wizard.chooseRegion(value.trim()))}
          onCancel={() => {
            setProblem(undefined);
            wizard.back();
          }}
        />
      ) : editing ? (
        <TextPrompt
          label="bucket: "
          initial={wizard.bucket}
          onSubmit={(value) => {
            const refused = wizard.chooseBucket(value.trim());
            setProblem(refused);
            if (!refused) setEditing(false);
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <Text
          wrap="truncate-end"
          color={confirming ? theme.warn : undefined}
          dimColor={!confirming && theme.dim}
        >
          {fit(confirming && planned ? question(planned, account) : body.keys, width)}
        </Text>
      )}
    </Box>
  );
}

/** The y/N question before the apply: what changes, where. */
function question(planned: PlanAndBucket, account: string): string {
  const bucket = planned.bucket.probe === 'ours' ? '' : `, create s3://${planned.bucket.bucket}`;

  const iam = changes(planned.plan.iam.steps.length);

  return `apply the plan? y/N (${iam} to IAM in account ${account}${bucket})`;
}

/** `tickops setup`: the wizard alone, filling the terminal; it ends when the wizard closes. */
export function StandaloneSetup({
  setup,
  noColor,
}: {
  readonly setup: SetupService;
  readonly noColor: boolean;
}) {
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize();

  return (
    <ThemeProvider noColor={noColor}>
      <Box width={columns}>
        <SetupWizard setup={setup} width={columns} height={Math.max(3, rows - 1)} onClose={exit} />
      </Box>
    </ThemeProvider>
  );
}
