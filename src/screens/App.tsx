/**
 * The console's shell: header, the active screen, footer, and the help overlay. It owns the
 * keys that work everywhere (screen switching, help, quit) and gives each screen a fixed height
 * so the frame never grows taller than the terminal.
 */
import { Box, useApp } from 'ink';
import { useCallback, useRef, useState, type ReactNode } from 'react';
import { BucketScreen } from './BucketScreen.js';
import type { ConsoleServices } from './console-services.js';
import { CloudRunView } from './CloudRunView.js';
import { CoverageScreen } from './CoverageScreen.js';
import { Footer } from './Footer.js';
import { Header, type ScreenTab } from './Header.js';
import { helpPages } from './help-lines.js';
import { HelpOverlay } from './HelpOverlay.js';
import { KeyCaptureContext } from './hooks/use-key-capture.js';
import { useIdentity } from './hooks/use-identity.js';
import { InputActiveContext, useLatestInput } from './hooks/use-latest-input.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { IamScreen } from './IamScreen.js';
import { Ec2Screen } from './Ec2Screen.js';
import {
  bucketKeys,
  cloudRunKeys,
  coverageKeys,
  ec2Keys,
  iamKeys,
  runKeys,
  setupKeys,
  type KeyHelp,
} from './keys.js';
import { RunScreen } from './RunScreen.js';
import { SetupWizard } from './SetupWizard.js';
import { ThemeProvider } from './theme.js';

/** Props of App. */
export interface AppProps {
  readonly services: ConsoleServices;
  readonly noColor?: boolean;
  /** Called once the operator asked to leave (after a run in progress was cancelled). */
  readonly onQuit?: () => void;
}

interface ScreenSpec extends ScreenTab {
  readonly keys: readonly KeyHelp[];
  readonly render: (size: { width: number; height: number }) => ReactNode;
}

// Header (2 lines) and footer (1) around the screen, and one spare row: a frame as tall as the
// terminal makes it scroll, and Ink then has to clear the whole screen on every redraw.
const chromeRows = 4;

/** The whole console. */
export function App({ services, noColor = false, onQuit }: AppProps) {
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize();
  const identity = useIdentity(services.identity);
  const [active, setActiveIndex] = useState(0);
  // The help page shown, or undefined while the help is closed.
  const [helpPage, setHelpPage] = useState<number>();
  const help = helpPage !== undefined;
  // The setup wizard opens in the IAM tab's place; leaving the tab closes it.
  const [wizard, setWizard] = useState(false);
  // Likewise the Run tab's view of a cloud run, with the date it follows.
  const [cloudDate, setCloudDate] = useState<string>();
  const setActive = (next: number | ((index: number) => number)) => {
    setWizard(false);
    setCloudDate(undefined);
    setActiveIndex(next);
  };
  // A ref, not state: a key that arrives before the shell re-renders must already see that a
  // screen holds the keyboard, or `q` typed into a filter would quit.
  const captured = useRef(false);
  const setCapturedStable = useCallback((value: boolean) => {
    captured.current = value;
  }, []);

  const screens: ScreenSpec[] = [
    {
      id: 'run',
      title: 'Run',
      keys: cloudDate ? cloudRunKeys : runKeys,
      render: (size) =>
        cloudDate ? (
          <CloudRunView
            service={services.cloud}
            date={cloudDate}
            bucket={services.config.bucket}
            now={services.now}
            {...size}
            onLeave={() => setCloudDate(undefined)}
          />
        ) : (
          <RunScreen services={services} {...size} onFollowCloud={setCloudDate} />
        ),
    },
    {
      id: 'bucket',
      title: 'Bucket',
      keys: bucketKeys,
      render: (size) => <BucketScreen services={services} {...size} />,
    },
    {
      id: 'coverage',
      title: 'Coverage',
      keys: coverageKeys,
      render: (size) => (
        <CoverageScreen services={services} {...size} onRerun={() => setActive(0)} />
      ),
    },
    {
      id: 'iam',
      title: 'IAM',
      keys: wizard ? setupKeys : iamKeys,
      render: (size) =>
        wizard ? (
          <SetupWizard setup={services.iam.setup} {...size} onClose={() => setWizard(false)} />
        ) : (
          <IamScreen iam={services.iam} {...size} onWizard={() => setWizard(true)} />
        ),
    },
    {
      id: 'ec2',
      title: 'EC2',
      keys: ec2Keys,
      render: (size) => <Ec2Screen ec2={services.ec2} {...size} />,
    },
  ];
  const screen = screens[active] as ScreenSpec;

  const quit = () => {
    services.run.cancel();
    void services.run.settled().then(() => {
      onQuit?.();
      exit();
    });
  };

  const size = { width: columns, height: Math.max(3, rows - chromeRows) };
  const helpTitle =
    screen.id === 'iam' && wizard
      ? 'Setup wizard'
      : screen.id === 'run' && cloudDate
        ? 'Cloud run'
        : screen.title;
  const pages = helpPages(helpTitle, screen.keys, columns, size.height);

  useLatestInput((input, key) => {
    if (key.ctrl && input === 'c') return quit();
    if (helpPage !== undefined) {
      const more = helpPage + 1 < pages.length && (input === ' ' || key.pageDown);
      return setHelpPage(more ? helpPage + 1 : undefined);
    }
    if (captured.current) return;

    if (input === 'q') return quit();
    if (input === '?') return setHelpPage(0);
    if (key.tab)
      return setActive((index) => (index + (key.shift ? screens.length - 1 : 1)) % screens.length);
    const number = Number(input);
    if (Number.isInteger(number) && number >= 1 && number <= screens.length) setActive(number - 1);
  });

  return (
    <ThemeProvider noColor={noColor}>
      <KeyCaptureContext.Provider value={setCapturedStable}>
        <Box flexDirection="column" width={columns}>
          <Header
            services={services}
            identity={identity}
            tabs={screens}
            active={screen.id}
            width={columns}
          />
          <Box height={size.height} flexDirection="column">
            {help && <HelpOverlay lines={pages[helpPage] ?? pages[0] ?? []} height={size.height} />}
            {/* Hidden, not unmounted, under the help: the folder, filter or run view stays. */}
            <Box display={help ? 'none' : 'flex'} flexDirection="column" height={size.height}>
              <InputActiveContext.Provider value={!help}>
                {screen.render(size)}
              </InputActiveContext.Provider>
            </Box>
          </Box>
          <Footer keys={screen.keys} width={columns} />
        </Box>
      </KeyCaptureContext.Provider>
    </ThemeProvider>
  );
}
