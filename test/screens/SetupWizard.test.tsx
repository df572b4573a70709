import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { SetupWizard } from '../../src/screens/SetupWizard.js';
import { ThemeProvider } from '../../src/screens/theme.js';
import { AccessDeniedError } from '../../src/services/errors.js';
import { keys, renderSized, testFolder } from './console-fixtures.js';
import { fakeIamService } from './iam-fake-service.js';
import { defaultLayout, emptyAccount, type FakeAccount } from './iam-fixtures.js';
import { waitFor as until } from './screen-wait.js';

afterEach(() => cleanup());

const suggested = 'ftse100-111122223333';

function open(
  account: FakeAccount,
  options: { folder?: string; bucket?: string; width?: number; height?: number } = {},
) {
  const folder = options.folder ?? testFolder('tickops-wizard-');
  const iam = fakeIamService(account, {
    layout: defaultLayout,
    folder,
    bucket: options.bucket,
    paceMs: 5,
  });
  const onClose = vi.fn();
  const width = options.width ?? 80;
  const height = options.height ?? 20;
  const screen = renderSized(
    <ThemeProvider noColor>
      <SetupWizard setup={iam.setup} width={width} height={height} onClose={onClose} />
    </ThemeProvider>,
    width,
    height + 4,
  );

  return { screen, onClose, folder, configPath: iam.setup.configPath };
}

type Screen = ReturnType<typeof open>['screen'];

const frame = (screen: Screen) => screen.lastFrame() ?? '';
const waitFor = (screen: Screen, pattern: RegExp | string) =>
  until(() => expect(frame(screen)).toMatch(pattern));

/** Type key by key, as a terminal sends them. */
function type(screen: Screen, ...texts: string[]) {
  for (const character of texts.join('')) screen.stdin.write(character);
}

/** Accept identity and region, and wait for the bucket step to have looked. */
async function toBucket(screen: Screen) {
  await waitFor(screen, 'account    111122223333');
  screen.stdin.write(keys.enter);
  await waitFor(screen, 'region: eu-west-1');
  screen.stdin.write(keys.enter);
  await waitFor(screen, /s3:\/\/\S+ (does not exist|exists|is refused)/);
}

describe('SetupWizard', () => {
  it('walks a first run through every step, suggests a bucket of our own', async () => {
    const account = emptyAccount({ lag: 1 });
    const { screen, onClose, configPath } = open(account);

    await toBucket(screen);
    expect(frame(screen)).toContain('a short name like ftse100 is probably taken by another');
    expect(frame(screen)).toContain(`suggested: ${suggested} (s uses it)`);
    screen.stdin.write('s');
    await waitFor(screen, `s3://${suggested} does not exist yet: setup creates it in eu-west-1`);
    screen.stdin.write(keys.enter);
    await waitFor(screen, 'least-privilege (default) grants only what --run-today calls');
    expect(frame(screen)).toContain('s3:ListAllMyBuckets: never called by --run-today');
    screen.stdin.write(keys.enter);
    await waitFor(screen, '5. add role DataProcessor to instance profile DataProcessor');
    expect(frame(screen)).toContain(`then: create bucket s3://${suggested} in eu-west-1`);
    expect(frame(screen)).toContain(`then: write bucket and region to ${configPath}`);
    screen.stdin.write(keys.enter);
    await waitFor(screen, 'apply the plan? y/N (5 changes to IAM in account 111122223333');
    screen.stdin.write('y');

    await waitFor(screen, 'done: IAM 5 changed, 0 in place; bucket created; config created');
    const frames = screen.frames.join('\n');
    expect(frames).toMatch(/waiting 0\.5s for IAM \(1\/6\): IAM has not caught up yet/);
    expect(frame(screen)).toMatch(new RegExp(`^created +bucket s3://${suggested}$`, 'm'));
    expect(JSON.parse(await readFile(configPath, 'utf8'))).toEqual({
      bucket: suggested,
      region: 'eu-west-1',
    });
    expect(account.buckets.get(suggested)).toBe('ours');
    screen.stdin.write(keys.enter);
    await until(() => expect(onClose).toHaveBeenCalledOnce());
  });

  it('on a finished setup changes nothing, asks nothing, and says so', async () => {
    const account = emptyAccount({ policy: undefined });
    const first = open(account);
    await toBucket(first.screen);
    first.screen.stdin.write('s');
    await waitFor(first.screen, `s3://${suggested} does not exist`);
    for (const key of [keys.enter, keys.enter]) first.screen.stdin.write(key);
    await waitFor(first.screen, 'apply 5 changes to IAM');
    first.screen.stdin.write(keys.enter);
    await waitFor(first.screen, 'y/N');
    first.screen.stdin.write('y');
    await waitFor(first.screen, 'config created');
    const written = await stat(first.configPath);
    first.screen.unmount();

    const { screen, configPath } = open(account, { folder: first.folder, bucket: suggested });
    await toBucket(screen);
    expect(frame(screen)).toContain(`s3://${suggested} exists and is yours: setup keeps it`);
    expect(frame(screen)).not.toContain('suggested');
    screen.stdin.write(keys.enter);
    await waitFor(screen, 'least-privilege (default)');
    screen.stdin.write(keys.enter);
    await waitFor(screen, 'nothing to change: IAM and the bucket are already in place');
    expect(frame(screen)).toContain('nothing to change: s3_upload, DataProcessor and its');
    expect(frame(screen)).toContain(`bucket s3://${suggested} exists: nothing to do`);
    screen.stdin.write(keys.enter);

    await waitFor(
      screen,
      'nothing changed: IAM, the bucket and the config file were already as chosen',
    );
    expect(frame(screen)).toMatch(/^unchanged config /m);
    expect((await stat(configPath)).mtimeMs).toBe(written.mtimeMs);
  });

  it('goes back a step on Esc from every step, and leaves from the first', async () => {
    const { screen, onClose } = open(emptyAccount());
    await toBucket(screen);

    screen.stdin.write(keys.escape);
    await waitFor(screen, 'region: eu-west-1');
    screen.stdin.write(keys.escape);
    await waitFor(screen, 'enter next · esc leave');
    screen.stdin.write(keys.escape);
    await until(() => expect(onClose).toHaveBeenCalledOnce());
  });

  it('re-enters a step: the plan follows a policy changed on the way back', async () => {
    const { screen } = open(emptyAccount());
    await toBucket(screen);
    screen.stdin.write(keys.enter);
    await waitFor(screen, '> least-privilege');
    screen.stdin.write(keys.enter);
    await waitFor(screen, '1. create policy s3_upload');

    screen.stdin.write(keys.escape);
    await waitFor(screen, '> least-privilege');
    screen.stdin.write('o');
    screen.stdin.write('t');
    await waitFor(screen, '[x] also let ECS tasks assume DataProcessor');
    expect(frame(screen)).toMatch(/^> original$/m);
    screen.stdin.write(keys.enter);

    await waitFor(screen, 'create role DataProcessor trusting ec2.amazonaws.com and ecs-tasks');
  });

  it('refuses a region or bucket name AWS would refuse, saying what is expected', async () => {
    const { screen } = open(emptyAccount());
    await waitFor(screen, 'account    111122223333');
    screen.stdin.write(keys.enter);
    await waitFor(screen, 'region: eu-west-1');
    type(screen, keys.backspace.repeat(9), 'Europe');
    await waitFor(screen, 'region: Europe');
    screen.stdin.write(keys.enter);
    await waitFor(screen, "'Europe' is not an AWS region such as eu-west-1");
    type(screen, keys.backspace.repeat(6), 'eu-west-2');
    await waitFor(screen, 'region: eu-west-2');
    screen.stdin.write(keys.enter);
    await waitFor(screen, 's3://ftse100 in eu-west-2');

    screen.stdin.write('e');
    await waitFor(screen, 'bucket: ftse100');
    type(screen, keys.backspace.repeat(7), 'Not_A_Bucket');
    await waitFor(screen, 'bucket: Not_A_Bucket');
    screen.stdin.write(keys.enter);

    await waitFor(screen, "'Not_A_Bucket' is not an S3 bucket name");
  });

  it('will not go on with a bucket that S3 refuses to us', async () => {
    const { screen } = open(emptyAccount({ buckets: new Map([['ftse100', 'forbidden']]) }));
    await toBucket(screen);
    expect(frame(screen)).toContain('s3://ftse100 is refused (403): another account owns it');

    screen.stdin.write(keys.enter);

    await waitFor(screen, 's3://ftse100 cannot be used: e edits the name, s takes the suggestion');
  });

  it('shows why the credentials could not be used, and asks again on enter', async () => {
    const failNext = new AccessDeniedError('AWS credentials are missing or were rejected', {
      hint: 'set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    });
    const { screen } = open(emptyAccount({ failNext }));

    await waitFor(screen, 'AWS credentials are missing or were rejected');
    expect(frame(screen)).toContain('next: set AWS_PROFILE');
    screen.stdin.write(keys.enter);

    await waitFor(screen, 'account    111122223333');
  });

  it('shows a refused apply in place; enter goes back to a plan of what is left', async () => {
    const account = emptyAccount({ denyStep: 'create-instance-profile' });
    const { screen } = open(account, { width: 100 });
    await toBucket(screen);
    for (const key of [keys.enter, keys.enter]) screen.stdin.write(key);
    await waitFor(screen, 'apply 5 changes');
    screen.stdin.write(keys.enter);
    await waitFor(screen, 'y/N');
    screen.stdin.write('y');

    await waitFor(
      screen,
      'access denied: iam:CreateInstanceProfile on instance profile DataProcessor',
    );
    expect(frame(screen)).toContain('next: grant iam:CreateInstanceProfile to these credentials');
    account.denyStep = undefined;
    screen.stdin.write(keys.enter);

    await waitFor(screen, '2. add role DataProcessor to instance profile DataProcessor');
    expect(frame(screen)).toContain('1. create instance profile DataProcessor');
  });

  it('keeps every line within the width and the wizard within its height', async () => {
    const { screen } = open(emptyAccount(), { width: 48, height: 8 });
    await toBucket(screen);
    screen.stdin.write(keys.enter);
    await waitFor(screen, 'least-privilege');

    const lines = frame(screen).split('\n');

    expect(lines.length).toBeLessThanOrEqual(8);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(48);
  });
});
