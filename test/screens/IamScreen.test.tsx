import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { App } from '../../src/screens/App.js';
import { IamScreen } from '../../src/screens/IamScreen.js';
import { ThemeProvider } from '../../src/screens/theme.js';
import { AccessDeniedError } from '../../src/services/errors.js';
import { originalS3UploadPolicy } from '../../src/services/iam/policy-documents.js';
import { tickopsBinary } from '../support/cli.js';
import {
  fakeServices,
  keys,
  realRunController,
  renderSized,
  testConfig,
} from './console-fixtures.js';
import { fakeIamService } from './iam-fake-service.js';
import { defaultLayout, emptyAccount, widenedPolicy, type FakeAccount } from './iam-fixtures.js';
import { waitFor as until } from './screen-wait.js';

afterEach(() => cleanup());

const inPlace = { role: true, attached: true, profile: 'holds-role' } as const;

function setup(account: FakeAccount, width = 80, height = 20, paceMs = 5) {
  const iam = fakeIamService(account, { layout: defaultLayout, folder: '/nonexistent', paceMs });
  const onWizard = vi.fn();
  const screen = renderSized(
    <ThemeProvider noColor>
      <IamScreen iam={iam} width={width} height={height} onWizard={onWizard} />
    </ThemeProvider>,
    width,
    height + 4,
  );

  return { screen, onWizard };
}

const frame = (screen: { lastFrame(): string | undefined }) => screen.lastFrame() ?? '';

describe('IamScreen', () => {
  it('shows every piece missing on a new account, what would be created and the plan', async () => {
    const { screen } = setup(emptyAccount());

    await until(() => expect(frame(screen)).toContain('1. create policy s3_upload'));
    const text = frame(screen);
    expect(text).toMatch(/^policy +missing +arn:aws:iam::111122223333:policy\/s3_upload$/m);
    expect(text).toMatch(/^profile +missing +instance profile DataProcessor$/m);
    expect(text).toMatch(/^access +not evaluated /m);
    expect(text).toContain('no such policy');
    expect(text).toMatch(/^ {2}Allow s3:ListBucket, s3:CreateBucket on arn:aws:s3:::ftse100$/m);
    expect(text).toContain('5. add role DataProcessor to instance profile DataProcessor');
    expect(text).toMatch(/changes needed: a applies the 5 changes above$/);
  });

  it('applies after y, streaming each step and the waits for IAM, then checks again', async () => {
    const account = emptyAccount({ lag: 1 });
    const { screen } = setup(account, 100, 24, 20);
    await until(() => expect(frame(screen)).toContain('a applies the 5 changes'));

    screen.stdin.write('a');
    await until(() =>
      expect(frame(screen)).toContain('apply 5 changes to IAM? y/N (account 111122223333)'),
    );
    screen.stdin.write('y');

    await until(() => expect(frame(screen)).toContain('applied: 5 changed, 0 already'));
    await until(() => expect(frame(screen)).toMatch(/in place: the daily job has what/));
    const frames = screen.frames.join('\n');
    expect(frames).toMatch(/applying: create role DataProcessor trusting ec2\.amazonaws\.com…/);
    expect(frames).toMatch(
      /waiting 0\.5s for IAM \(1\/6\): IAM has not caught up yet: role DataProcessor/,
    );
    expect(frame(screen)).toMatch(/^policy +present /m);
    expect(frame(screen)).toMatch(/^access +granted /m);
    expect(account.checks).toHaveLength(2);
  });

  it('changes nothing when the question is answered n', async () => {
    const account = emptyAccount();
    const { screen } = setup(account);
    await until(() => expect(frame(screen)).toContain('a applies'));

    screen.stdin.write('a');
    await until(() => expect(frame(screen)).toContain('y/N'));
    screen.stdin.write('n');

    await until(() => expect(frame(screen)).toContain('not applied: nothing was changed'));
    expect(account.policy).toBeUndefined();
  });

  it('shows a hand-widened policy drifted, with the document IAM holds and the diff', async () => {
    const { screen } = setup(emptyAccount({ ...inPlace, policy: widenedPolicy }));

    await until(() => expect(frame(screen)).toMatch(/^policy +drifted /m));
    const text = frame(screen);
    expect(text).toContain('default version v2 differs: 1 change');
    expect(text).toMatch(/^ {2}\+ s3:\* on \* \(not needed\)$/m);
    expect(text).toMatch(/^IAM holds \(v2\):\n {2}Allow s3:\* on \*$/m);
    expect(text).toContain('1. new default version of arn:aws:iam::111122223333:policy/s3_upload');
  });

  it('o checks against the original document instead, l goes back', async () => {
    const account = emptyAccount({ ...inPlace, policy: originalS3UploadPolicy() });
    const { screen } = setup(account);
    await until(() => expect(frame(screen)).toMatch(/^policy +drifted /m));

    screen.stdin.write('o');
    await until(() => expect(frame(screen)).toMatch(/^policy +present /m));
    expect(frame(screen)).toContain('s3_upload original (o/l)');
    expect(frame(screen)).toContain('in place: the daily job has what it needs');
    screen.stdin.write('l');

    await until(() => expect(frame(screen)).toMatch(/^policy +drifted /m));
    expect(account.checks.map((check) => check.wanted.flavour)).toEqual([
      'least-privilege',
      'original',
      'least-privilege',
    ]);
  });

  it('says which permission a piece needs when it cannot be checked, and what to do', async () => {
    const { screen } = setup(
      emptyAccount({ ...inPlace, policy: widenedPolicy, policyReadDenied: true }),
      100,
    );

    await until(() => expect(frame(screen)).toMatch(/^policy +cannot check /m));
    const text = frame(screen);
    expect(text).toContain(
      'cannot check: needs iam:GetPolicy on arn:aws:iam::111122223333:policy/s3_upload',
    );
    expect(text).toContain('next: grant iam:GetPolicy (read-only iam:Get*/iam:List* is enough)');
    expect(text).toMatch(/^access +cannot check /m);
    expect(text).toContain('cannot check everything (see the pieces marked so); a applies');
  });

  it('shows a refused apply in place with what to do, and what was done before it', async () => {
    const account = emptyAccount({ denyStep: 'create-role' });
    const { screen } = setup(account, 100, 24);
    await until(() => expect(frame(screen)).toContain('a applies'));

    screen.stdin.write('a');
    await until(() => expect(frame(screen)).toContain('y/N'));
    screen.stdin.write('y');

    await until(() =>
      expect(frame(screen)).toContain('access denied: iam:CreateRole on role DataProcessor'),
    );
    expect(frame(screen)).toContain('next: grant iam:CreateRole to these credentials');
    expect(frame(screen)).toMatch(/^created +create policy s3_upload$/m);
    await until(() => expect(frame(screen)).toMatch(/^policy +present /m));
    expect(frame(screen)).toMatch(/^role +missing /m);
  });

  it('shows a failed check with its hint, and checks again on c', async () => {
    const failNext = new AccessDeniedError('AWS credentials are missing or were rejected', {
      hint: 'set AWS_PROFILE or AWS_ACCESS_KEY_ID',
    });
    const { screen } = setup(emptyAccount({ failNext }));

    await until(() => expect(frame(screen)).toContain('credentials are missing'));
    expect(frame(screen)).toContain('next: set AWS_PROFILE or AWS_ACCESS_KEY_ID');
    expect(frame(screen)).toContain('c checks again');
    screen.stdin.write('c');

    await until(() => expect(frame(screen)).toMatch(/^policy +missing /m));
  });

  it('x cancels an apply between steps; the steps done stay done', async () => {
    const account = emptyAccount();
    const { screen } = setup(account, 100, 24, 150);
    await until(() => expect(frame(screen)).toContain('a applies'));
    screen.stdin.write('a');
    await until(() => expect(frame(screen)).toContain('y/N'));
    screen.stdin.write('y');
    await until(() => expect(frame(screen)).toMatch(/^created +create policy s3_upload$/m));

    screen.stdin.write('x');

    await until(() => expect(frame(screen)).toContain('cancelled: the steps above were'));
    expect(account.policy).toBeDefined();
    expect(account.profile).toBe('missing');
  });

  it('drops the check in flight when the screen goes away', async () => {
    const account = emptyAccount();
    const { screen } = setup(account);
    await until(() => expect(account.checks).toHaveLength(1));

    screen.unmount();

    expect(account.checks[0]?.signal.aborted).toBe(true);
  });

  it('keeps every line within the width and the screen within its height', async () => {
    const { screen } = setup(emptyAccount({ ...inPlace, policy: widenedPolicy }), 50, 10);
    await until(() => expect(frame(screen)).toMatch(/^policy +drifted/m));

    for (const key of ['j', 'j', 'j', 'j', 'j', 'j', 'j']) screen.stdin.write(key);

    await until(() => expect(frame(screen)).toMatch(/^access +granted/m));
    const lines = frame(screen).split('\n');
    expect(lines.length).toBeLessThanOrEqual(10);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(50);
  });
});

describe('the IAM tab of the console', () => {
  it('lists its keys in the footer and the help, and opens the wizard on w', async () => {
    const config = testConfig();
    const services = fakeServices(config, realRunController(config, ['BARC']));
    const screen = renderSized(<App services={services} noColor />, 80, 24);

    screen.stdin.write('4');
    await until(() => expect(frame(screen)).toMatch(/^policy +missing/m));
    expect(frame(screen).split('\n').at(-1)).toMatch(
      /^\? help {2}q quit {2}a apply plan {2}c re-check {2}o\/l/,
    );
    screen.stdin.write('?');
    await until(() => expect(frame(screen)).toContain('IAM keys'));
    expect(frame(screen)).toMatch(/^ {2}w +setup wizard$/m);
    screen.stdin.write(keys.escape);
    await until(() => expect(frame(screen)).not.toContain('IAM keys'));
    screen.stdin.write('w');
    await until(() => expect(frame(screen)).toContain('account    111122223333'));
    screen.stdin.write(keys.escape);

    await until(() => expect(frame(screen)).toMatch(/^policy +missing/m));
  });
});

/** Every bare package a compiled module reaches through static imports. */
function packagesReachedFrom(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(
      /^(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm,
    )) {
      const specifier = match[1] ?? '';
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else
        packages.add(
          specifier
            .split('/')
            .slice(0, specifier.startsWith('@') ? 2 : 1)
            .join('/'),
        );
    }
  };
  visit(entry);

  return packages;
}

describe('loading the IAM SDK', () => {
  it('is left to the first IAM call: the console start reaches no IAM client statically', () => {
    const dist = dirname(dirname(tickopsBinary));
    const command = packagesReachedFrom(join(dist, 'commands', 'console.js'));
    const screens = packagesReachedFrom(join(dist, 'screens', 'App.js'));
    const setupCli = packagesReachedFrom(join(dist, 'commands', 'setup-cli.js'));

    expect([...command]).toContain('@aws-sdk/client-s3');
    expect([...screens]).toContain('ink');
    for (const reached of [command, screens]) {
      expect([...reached]).not.toContain('@aws-sdk/client-iam');
    }
    expect([...setupCli]).toEqual(['commander']);
  });
});
