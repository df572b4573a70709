/**
 * Regenerate the console captures in docs/console.md: moto and the local test source are
 * started on loopback, the real binary runs in tmux at 80x24, and the screens are printed as
 * text. Run with `node --import tsx scripts/capture-console.ts > docs/console-captures.txt`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalEmulator } from '../src/services/local-emulator.js';
import { startSourceServer } from '../test/support/source-server.js';
import { runTickops, tickopsBinary } from '../test/support/cli.js';
import { startTmux } from '../test/support/tmux.js';

const date = '2024-10-25';

async function main(): Promise<void> {
  const moto = await startLocalEmulator();
  const source = await startSourceServer({ date, unknownSymbols: ['NOSUCH.L'], latencyMs: 40 });
  const folder = await mkdtemp(join(tmpdir(), 'tickops-capture-'));
  const list = join(folder, 'tickers.txt');
  await writeFile(
    list,
    [
      'AZN',
      'BARC',
      'BP',
      'BT.A',
      'GSK',
      'HSBA',
      'LLOY',
      'NOSUCH',
      'RIO',
      'SHEL',
      'ULVR',
      'VOD',
    ].join('\n'),
  );
  // The wizard writes its choices to the config file; this one lives in the capture's folder.
  const configFile = join(folder, 'tickops.config.json');
  await writeFile(configFile, '{}\n');
  const settings = {
    ...moto.env,
    TICKOPS_CONFIG: configFile,
    TICKOPS_BUCKET: 'ftse100',
    TICKOPS_SOURCE_URL: source.url,
    TICKOPS_TICKERS: list,
  };
  // One of two cloud shards has finished (run as an AWS Batch child runs it, on a disk of its
  // own), so the Run screen has a cloud run to follow.
  await runTickops(['--run-today', '--shards', '2', '--date', date], {
    ...settings,
    AWS_BATCH_JOB_ARRAY_INDEX: '0',
    TICKOPS_DATA_DIR: join(folder, 'shard-0'),
    TICKOPS_NOW: `${date}T17:00:00Z`,
  });
  const tty = await startTmux(
    ['node', tickopsBinary],
    {
      ...settings,
      TICKOPS_DATA_DIR: join(folder, 'data'),
      TICKOPS_NOW: `${date}T11:00:00Z`,
    },
    { columns: 80, rows: 24 },
  );
  const show = (title: string, screen: string) =>
    process.stdout.write(`### ${title}\n\n\`\`\`\n${screen.trimEnd()}\n\`\`\`\n\n`);

  try {
    show('Run screen, before a run', await tty.waitFor(/no run yet/));
    await tty.send('c');
    show('Run screen, following a cloud run (c)', await tty.waitFor(/cloud 2024-10-25: shards/));
    await tty.send('Escape');
    await tty.waitFor(/no run yet/);
    await tty.send('Enter');
    show(
      'Run screen, finished (NOSUCH selected)',
      await (async () => {
        await tty.waitFor(/finished/);
        await tty.send('j', 'j', 'j', 'j', 'j', 'j', 'j');
        return tty.waitFor(/^NOSUCH: no data/m);
      })(),
    );
    await tty.send('2');
    show('Bucket, top level', await tty.waitFor(/^bars\/$/m));
    await tty.send('Enter', 'Enter');
    await tty.waitFor(/^BARC\.csv/m);
    await tty.send('j', 'Enter');
    show('Bucket, a day CSV with its chart', await tty.waitFor(/510 bars · high/));
    await tty.send('3');
    show('Coverage (only today has a manifest)', await tty.waitFor(/# complete/));
    await tty.send('?');
    show('Help overlay', await tty.waitFor(/everywhere/));
    await tty.send('Escape', '4');
    show('IAM, a new account', await tty.waitFor(/^changes needed: a applies/m));
    await tty.send('a');
    await tty.waitFor(/y\/N/);
    await tty.send('y');
    show('IAM, after applying', await tty.waitFor(/^in place: the daily job/m));
    await captureWizard(tty, show);
    await tty.send('q');
  } finally {
    await tty.kill();
    await source.close();
    await moto.stop();
    await rm(folder, { recursive: true, force: true });
  }
}

/** The wizard from the IAM screen: the bucket warning, the plan, and what it did. */
async function captureWizard(
  tty: Awaited<ReturnType<typeof startTmux>>,
  show: (title: string, screen: string) => void,
): Promise<void> {
  await tty.send('w');
  await tty.waitFor(/enter next · esc leave/);
  await tty.send('Enter');
  await tty.waitFor(/^region: /m);
  await tty.send('Enter');
  // The run above created ftse100, so the wizard keeps it; a fresh short name shows the warning.
  await tty.waitFor(/exists and is yours/);
  await tty.send(
    'e',
    ...Array.from({ length: 7 }, () => 'BSpace'),
    't',
    'i',
    'c',
    'k',
    's',
    'Enter',
  );
  show('Setup wizard, the bucket step', await tty.waitFor(/s uses it/));
  await tty.send('s');
  await tty.waitFor(/ticks-\d+ does not exist yet/);
  await tty.send('Enter');
  show('Setup wizard, the policy step', await tty.waitFor(/least-privilege \(default\)/));
  await tty.send('Enter');
  await tty.waitFor(/enter apply/);
  await tty.send('Enter');
  show('Setup wizard, the plan', await tty.waitFor(/y\/N/));
  await tty.send('y');
  show('Setup wizard, done', await tty.waitFor(/enter close/));
  await tty.send('Enter');
  await tty.waitFor(/^PIECE/m);
}

await main();
