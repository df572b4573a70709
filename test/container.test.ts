/**
 * The container, without Docker (which cannot run here): the Dockerfile is checked as text,
 * and the built entry point is run the way the image runs it: `node dist/commands/main.js
 * --run-today` with no terminal, settings from the environment or a config file in the
 * working directory, as an unprivileged user, against moto and a local market-data source.
 */
import { execFileSync } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { containerPaths } from '../src/services/schedule/machine-spec.js';
import { containerUid } from '../src/services/schedule/units.js';
import { tickopsBinary } from './support/cli.js';
import { createMotoS3Client, describeWithMoto } from './support/moto.js';
import { startSourceServer, type SourceServer } from './support/source-server.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const dockerfile = await readFile(join(root, 'Dockerfile'), 'utf8');
const dockerignore = await readFile(join(root, '.dockerignore'), 'utf8');
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.startsWith('#'));
const finalStage = instructions.slice(
  instructions.findLastIndex((line) => line.startsWith('FROM ')),
);

describe('Dockerfile', () => {
  it('builds in one stage and runs in another, both on a current Node LTS slim image', () => {
    const bases = instructions.filter((line) => line.startsWith('FROM '));

    expect(bases).toEqual([
      'FROM node:24-bookworm-slim AS build',
      'FROM node:24-bookworm-slim AS runtime',
    ]);
    expect(dockerfile).toMatch(/^RUN npm ci\b.*$/m);
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(finalStage).toContain('COPY --from=build /app/dist ./dist');
    expect(finalStage.some((line) => /^RUN npm ci --omit=dev\b/.test(line))).toBe(true);
  });

  it('runs as the non-root node user, tickops --run-today by default, no TTY needed', () => {
    const users = finalStage.filter((line) => line.startsWith('USER '));
    const lastRun = finalStage.findLastIndex((line) => line.startsWith('RUN '));

    expect(users).toEqual(['USER node']);
    expect(finalStage.indexOf('USER node')).toBeGreaterThan(lastRun);
    expect(containerUid).toBe(1000);
    expect(finalStage).toContain('ENTRYPOINT ["node", "/app/dist/commands/main.js"]');
    expect(finalStage.at(-1)).toBe('CMD ["--run-today"]');
    expect(dockerfile).not.toMatch(/\b(-it|-t|--tty)\b|stdin_open/);
  });

  it('bakes in no credentials and keeps local data and config out of the build context', () => {
    expect(dockerfile).not.toMatch(
      /AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)|AWS_PROFILE/,
    );
    expect(dockerfile).not.toMatch(/^(ARG|ENV) .*(SECRET|TOKEN|PASSWORD|KEY)/im);
    expect(dockerfile).not.toMatch(/COPY .*(\.aws|\.env|tickops\.config\.json|credentials)/);
    const ignored = dockerignore.split('\n').filter((line) => line && !line.startsWith('#'));
    for (const entry of [
      'node_modules',
      '.git',
      '.env',
      '.aws',
      'tickops-data',
      'tickops.config.json',
    ]) {
      expect(ignored).toContain(entry);
    }
  });

  it('copies only paths that exist and are not ignored; sets the data folder', async () => {
    const sources = instructions
      .filter((line) => line.startsWith('COPY ') && !line.includes('--from='))
      .flatMap((line) => line.split(/\s+/).slice(1, -1));

    for (const source of sources) {
      await expect(stat(join(root, source))).resolves.toBeTruthy();
      expect(dockerignore.split('\n')).not.toContain(source);
    }
    expect(dockerfile).toContain(`TICKOPS_DATA_DIR=${containerPaths.data}`);
  });
});

/** How the image's user can be imitated here: nobody via setpriv, when we are root. */
function unprivileged(): { command: string; prefix: string[]; uid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true']);
  } catch {
    return undefined;
  }

  return {
    command: 'setpriv',
    prefix: ['--reuid=65534', '--regid=65534', '--clear-groups', '--', 'node'],
    uid: 65534,
  };
}

const asUser = unprivileged();
if (asUser === undefined) {
  console.warn('Container runs use the current user: setpriv as root is not available here.');
}

let folder: string;
let source: SourceServer | undefined;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'tickops-container-'));
  // The image's user must be able to read the list and write the data folder, as in the image.
  await chmod(folder, 0o755);
});

afterEach(async () => {
  await source?.close();
  source = undefined;
  await rm(folder, { recursive: true, force: true });
});

/** Run the entry point as the container does: no TTY, only the given environment. */
async function runAsContainer(env: Record<string, string>, cwd: string, args = ['--run-today']) {
  const [command, prefix] = asUser ? [asUser.command, asUser.prefix] : ['node', []];
  const result = await execa(command, [...prefix, tickopsBinary, ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      TZ: 'UTC',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      ...env,
    },
    extendEnv: false,
    cwd,
    stdin: 'ignore',
    reject: false,
    timeout: 120_000,
  });

  return {
    exitCode: result.exitCode,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
  };
}

async function dataFolder(): Promise<string> {
  const data = join(folder, 'data');
  await mkdir(data);
  if (asUser) await chown(data, asUser.uid, asUser.uid);

  return data;
}

describeWithMoto('the entry point run as the container runs it', (getMoto) => {
  const date = '2024-10-25';

  it('runs the day from environment settings alone, unprivileged, with no terminal', async () => {
    source = await startSourceServer({ date });
    const tickers = join(folder, 'tickers.csv');
    await writeFile(tickers, 'ticker,source_symbol\nBARC,\nBT.A,\n', { mode: 0o644 });
    const data = await dataFolder();

    const result = await runAsContainer(
      {
        ...getMoto().env,
        TICKOPS_BUCKET: 'ftse100-container',
        TICKOPS_REGION: 'eu-west-1',
        TICKOPS_TICKERS: tickers,
        TICKOPS_DATA_DIR: data,
        TICKOPS_SOURCE_URL: source.url,
        TICKOPS_NOW: `${date}T16:00:00Z`,
        TICKOPS_LOG_LEVEL: 'info',
        NO_COLOR: '1',
      },
      folder,
    );

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^done +BARC +510 bars/m);
    expect(result.stdout).toContain(`${date}: 2 tickers: 2 done, 0 empty, 0 failed`);
    expect(result.stdout + result.stderr).not.toMatch(/\u001b\[|setRawMode|\n\s+at /);
    const keys = await createMotoS3Client(getMoto()).send(
      new ListObjectsV2Command({ Bucket: 'ftse100-container' }),
    );
    expect((keys.Contents ?? []).map((item) => item.Key)).toContain('manifests/20241025.json');
    const manifest = await stat(join(data, '20241025', 'manifest.json'));
    expect(manifest.uid).toBe(asUser?.uid ?? process.getuid?.());
  });

  it('reads a config file mounted in its working directory, with the list beside it', async () => {
    source = await startSourceServer({ date });
    const config = join(folder, 'config');
    await mkdir(config, { mode: 0o755 });
    await writeFile(join(config, 'tickers.txt'), 'VOD\n', { mode: 0o644 });
    await writeFile(
      join(config, 'tickops.config.json'),
      JSON.stringify({
        bucket: 'ftse100-mounted',
        tickersFile: 'tickers.txt',
        sourceUrl: source.url,
      }),
      { mode: 0o644 },
    );

    const result = await runAsContainer(
      { ...getMoto().env, TICKOPS_DATA_DIR: await dataFolder(), TICKOPS_NOW: `${date}T16:00:00Z` },
      config,
    );

    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/-> s3:\/\/ftse100-mounted \(eu-west-1\b/);
    expect(result.stdout).toMatch(/^done +VOD /m);
  });
});

describe('the entry point on the instance clock (UTC)', () => {
  it('takes 23:30Z on Fri 2024-06-14 as Saturday 2024-06-15 in London (case B14)', async () => {
    const result = await runAsContainer(
      {
        TICKOPS_NOW: '2024-06-14T23:30:00Z',
        TICKOPS_DATA_DIR: await dataFolder(),
        // Never reached on a weekend; set so that no client could aim at real AWS.
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
      },
      folder,
    );

    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim()).toBe(
      '2024-06-15: weekend: the exchange is closed; nothing to download.',
    );
  });
});
