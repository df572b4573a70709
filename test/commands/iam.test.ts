import { CreatePolicyVersionCommand, IAMClient } from '@aws-sdk/client-iam';
import { PassThrough } from 'node:stream';
import { afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { iamApplyCommand } from '../../src/commands/iam.js';
import { applyIam } from '../../src/services/iam/apply.js';
import { desiredIam } from '../../src/services/iam/desired.js';
import { planFromScratch } from '../../src/services/iam/plan.js';
import { runTickops } from '../support/cli.js';
import {
  createIamUserWithPolicy,
  describeWithMoto,
  motoRootCredentials,
  type MotoServer,
} from '../support/moto.js';

const bucket = 'tickops-iam-cli';
const policyArn = 'arn:aws:iam::123456789012:policy/s3_upload';
const stackTrace = /\n\s+at /;

function rootIam(moto: MotoServer): IAMClient {
  return new IAMClient({
    endpoint: moto.endpoint,
    region: 'us-east-1',
    credentials: motoRootCredentials,
  });
}

describeWithMoto('tickops iam check and apply against moto', (getMoto) => {
  const env = () => ({ ...getMoto().env, TICKOPS_BUCKET: bucket });
  const iam = (...args: string[]) => runTickops(['iam', ...args], env());

  beforeAll(async () => {
    await getMoto()?.reset();
  });

  it('reports what is missing, will not apply unasked without a TTY, does on --yes', async () => {
    const missing = await iam('check');
    const unasked = await iam('apply');
    const dryRun = await iam('apply', '--dry-run');
    const applied = await iam('apply', '--yes');
    const inPlace = await iam('check');
    const rerun = await iam('apply', '--yes');

    expect(missing.exitCode).toBe(1);
    expect(missing.stdout).toMatch(
      /^missing +policy +arn:aws:iam::123456789012:policy\/s3_upload: no such policy$/m,
    );
    expect(missing.stdout).toMatch(/^missing +profile +instance profile DataProcessor/m);
    expect(missing.stdout).toContain('changes needed: run tickops iam apply');
    expect(unasked.exitCode).toBe(2);
    expect(unasked.stdout).toContain('1. create policy s3_upload');
    expect(unasked.stderr).toMatch(/^tickops: .*no terminal to ask on\n  next: pass --yes/m);
    expect(dryRun.exitCode).toBe(0);
    expect(dryRun.stdout).toContain('dry run: nothing was changed.');
    expect(applied.exitCode).toBe(0);
    expect(applied.stdout).toMatch(
      /^created +create role DataProcessor trusting ec2\.amazonaws\.com$/m,
    );
    expect(applied.stdout).toContain('applied: 5 changed, 0 already in place');
    expect(inPlace.exitCode).toBe(0);
    expect(inPlace.stdout).toMatch(/^access +run +grants all 6 calls the run makes$/m);
    expect(rerun.exitCode).toBe(0);
    expect(rerun.stdout.trim()).toBe(
      'nothing to change: s3_upload, DataProcessor and its instance profile are in place',
    );
    for (const result of [missing, unasked, applied]) expect(result.stderr).not.toMatch(stackTrace);
  });

  it('shows a hand-widened policy as drifted with its diff (also as JSON), fixes it', async () => {
    await rootIam(getMoto()).send(
      new CreatePolicyVersionCommand({
        PolicyArn: policyArn,
        SetAsDefault: true,
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['s3:PutObject', 's3:ListBucket', 's3:CreateBucket'],
              Resource: '*',
            },
          ],
        }),
      }),
    );

    const drifted = await iam('check');
    const json = await iam('check', '--json');
    const fixed = await iam('apply', '--yes', '--json');
    const after = await iam('check');

    expect(drifted.exitCode).toBe(1);
    expect(drifted.stdout).toMatch(/^drifted +policy .*default version v2 differs: 3 changes$/m);
    expect(drifted.stdout).toContain(
      '! s3:PutObject widened to * (wanted arn:aws:s3:::tickops-iam-cli/raw/*',
    );
    expect(json.exitCode).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.verdict).toBe('needs-changes');
    expect(report.pieces.policy.state).toBe('drifted');
    expect(report.pieces.policy.actual.Statement[0].Resource).toBe('*');
    const events = fixed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).event);
    expect(events[0]).toBe('plan');
    expect(events).toContain('version-created');
    expect(events.at(-1)).toBe('apply-finished');
    expect(after.exitCode).toBe(0);
  });

  it('says which flag was wrong, exit 2', async () => {
    const result = await iam('apply', '--policy', 'everything', '--yes');

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("argument 'everything' is invalid");
  });
});

/**
 * Read-only IAM, as an auditor would hold. moto also checks sts:GetCallerIdentity against the
 * policy; AWS never does, so on AWS that action is not needed.
 */
const readOnly = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: ['iam:Get*', 'iam:List*', 'sts:GetCallerIdentity'], Resource: '*' },
  ],
};
const withoutGetPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: [
        'iam:GetRole',
        'iam:GetInstanceProfile',
        'iam:GetPolicyVersion',
        'iam:List*',
        'sts:GetCallerIdentity',
      ],
      Resource: '*',
    },
  ],
};
type Keys = { accessKeyId: string; secretAccessKey: string };
const keys: Record<'reader' | 'partial', Keys> = {
  reader: { accessKeyId: '', secretAccessKey: '' },
  partial: { accessKeyId: '', secretAccessKey: '' },
};

describeWithMoto(
  'tickops iam check with restricted credentials (IAM enforced)',
  (getMoto) => {
    const as = (who: Keys) => ({
      ...getMoto().env,
      TICKOPS_BUCKET: bucket,
      AWS_ACCESS_KEY_ID: who.accessKeyId,
      AWS_SECRET_ACCESS_KEY: who.secretAccessKey,
    });

    it('works with read-only credentials', async () => {
      const result = await runTickops(['iam', 'check'], as(keys.reader));

      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain('in place: the daily job has what it needs');
    });

    it('says "cannot check: needs iam:GetPolicy" rather than "missing" when refused', async () => {
      const result = await runTickops(['iam', 'check'], as(keys.partial));

      expect(result.exitCode).toBe(3);
      expect(result.stdout).toContain(
        `cannot-check policy    ${policyArn}: cannot check: needs iam:GetPolicy on ${policyArn}\n`,
      );
      expect(result.stdout).toMatch(/^present +role /m);
      expect(result.stdout).not.toMatch(/^missing/m);
    });

    it('exits 3 naming the IAM action when apply is refused', async () => {
      const result = await runTickops(
        ['iam', 'apply', '--yes', '--policy', 'original'],
        as(keys.reader),
      );

      expect(result.exitCode).toBe(3);
      expect(result.stderr).toContain(
        `tickops: access denied: iam:CreatePolicyVersion on ${policyArn}\n`,
      );
      expect(result.stderr).toMatch(/next: grant iam:CreatePolicyVersion/);
      expect(result.stderr).not.toMatch(stackTrace);
      expect(result.stdout + result.stderr).not.toContain(keys.reader.secretAccessKey);
    });
  },
  {
    // Everything is made with moto's root credentials first; then enforcement starts at once.
    setup: async (moto) => {
      keys.reader = await createIamUserWithPolicy(moto, {
        userName: 'auditor',
        policyName: 'read_only',
        document: readOnly,
      });
      keys.partial = await createIamUserWithPolicy(moto, {
        userName: 'partial',
        policyName: 'no_get_policy',
        document: withoutGetPolicy,
      });
      const root = rootIam(moto);
      const layout = {
        raw: 'raw/{date}/{ticker}.{ext}',
        bars: 'bars/{date}/{ticker}.csv',
        manifest: 'manifests/{date}.json',
      };
      const wanted = desiredIam({
        accountId: '123456789012',
        partition: 'aws',
        bucket,
        layout,
        flavour: 'least-privilege',
        ecs: false,
      });
      await applyIam(root, planFromScratch(wanted));
      root.destroy();
      const response = await fetch(`${moto.endpoint}/moto-api/reset-auth`, {
        method: 'POST',
        body: '0',
      });
      if (!response.ok) throw new Error(`moto reset-auth failed: ${response.status}`);
    },
  },
);

describeWithMoto('tickops iam apply asking on a terminal', (getMoto) => {
  /** A terminal-like stdin that answers once, and a stdout that keeps what was written. */
  function terminal(answer: string) {
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const stdout = new PassThrough();
    let written = '';
    stdout.on('data', (chunk: Buffer) => {
      written += chunk.toString('utf8');
      if (written.includes('[y/N]') && !stdin.writableEnded) stdin.end(`${answer}\n`);
    });

    return { io: { stdin, stdout, stderr: stdout }, output: () => written };
  }

  beforeEach(() => {
    // The SDK reads credentials from process.env; these are moto's fake ones, aimed at loopback.
    vi.stubEnv('AWS_ACCESS_KEY_ID', motoRootCredentials.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', motoRootCredentials.secretAccessKey);
    vi.stubEnv('AWS_CONFIG_FILE', '/dev/null');
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/dev/null');
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  const env = () => ({ TICKOPS_ENDPOINT_URL: getMoto().endpoint, TICKOPS_BUCKET: bucket });

  it('changes nothing when the answer is no, and applies on yes', async () => {
    const declined = terminal('n');
    const accepted = terminal('y');

    const first = await iamApplyCommand({}, env(), declined.io);
    const second = await iamApplyCommand({}, env(), accepted.io);

    expect(first).toBe(0);
    expect(declined.output()).toContain('Apply 5 changes to IAM in account 123456789012? [y/N] ');
    expect(declined.output()).toContain('cancelled: nothing was changed.');
    expect(second).toBe(0);
    expect(accepted.output()).toContain('applied: 5 changed, 0 already in place');
  });
});
