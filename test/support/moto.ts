/**
 * A real AWS emulator (`moto_server`) for integration tests: one process per test file, on its
 * own loopback port, stopped by pid when the file ends.
 *
 * Observed with moto 5.2.1 on this machine: the server binds in about 0.4 s and then answers
 * `GET /moto-api/`; that endpoint does not count towards INITIAL_NO_AUTH_ACTION_COUNT, so it is
 * safe as a readiness probe (a plain `GET /` would be a ListBuckets and use one up). SIGTERM
 * ends it in about 0.1 s, or 1.5 to 2 s once the test process that started it has died.
 */
import { describe, afterAll, beforeAll, beforeEach } from 'vitest';
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import {
  emulatorRegion,
  emulatorRootCredentials,
  isEmulatorInstalled,
  startLocalEmulator,
  type EmulatorOptions,
  type LocalEmulator,
} from '../../src/services/local-emulator.js';

/** Credentials moto accepts from anyone until IAM enforcement starts. */
export const motoRootCredentials = emulatorRootCredentials;

/** Region the harness points S3 clients and child processes at. */
export const motoRegion = emulatorRegion;

/** Unauthenticated actions `createIamUserWithPolicy` spends (policy, user, attach, key). */
export const iamSetupActionCount = 4;

/** How a test wants moto started. */
export type MotoOptions = EmulatorOptions;

/** A running moto_server started by this process. */
export type MotoServer = LocalEmulator;

/** Start moto_server on a fresh loopback port and wait until it answers. */
export const startMoto = startLocalEmulator;

/** Is the harness required to fail rather than skip when moto is missing? */
export function isCi(): boolean {
  return process.env.CI === 'true';
}

/** An S3 client for this moto: path-style, loopback endpoint, explicit credentials. */
export function createMotoS3Client(
  moto: MotoServer,
  credentials: { accessKeyId: string; secretAccessKey: string } = motoRootCredentials,
): S3Client {
  return new S3Client({
    endpoint: moto.endpoint,
    region: motoRegion,
    forcePathStyle: true,
    credentials,
  });
}

/** What a least-privilege test user is made of. */
export interface IamUserSpec {
  readonly userName: string;
  readonly policyName: string;
  /** Policy document, as an object or as its JSON text. */
  readonly document: Record<string, unknown> | string;
}

/**
 * Create a user holding exactly one managed policy and return its access key. Spends
 * `iamSetupActionCount` unauthenticated actions, so run it before enforcement starts.
 */
export async function createIamUserWithPolicy(
  moto: MotoServer,
  spec: IamUserSpec,
): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  // IAM is a global service; moto serves it under us-east-1 like AWS does.
  const iam = new IAMClient({
    endpoint: moto.endpoint,
    region: 'us-east-1',
    credentials: motoRootCredentials,
  });

  try {
    const document =
      typeof spec.document === 'string' ? spec.document : JSON.stringify(spec.document);
    const policy = await iam.send(
      new CreatePolicyCommand({ PolicyName: spec.policyName, PolicyDocument: document }),
    );
    await iam.send(new CreateUserCommand({ UserName: spec.userName }));
    await iam.send(
      new AttachUserPolicyCommand({ UserName: spec.userName, PolicyArn: policy.Policy?.Arn }),
    );
    const { AccessKey: key } = await iam.send(
      new CreateAccessKeyCommand({ UserName: spec.userName }),
    );

    if (!key?.AccessKeyId || !key.SecretAccessKey) {
      throw new Error(`moto returned no access key for IAM user '${spec.userName}'`);
    }

    return { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
  } finally {
    iam.destroy();
  }
}

/** Options of `useMoto` and `describeWithMoto`. */
export interface UseMotoOptions extends MotoOptions {
  /**
   * Runs in beforeAll once moto is up (buckets, IAM users). Put setup here rather than in a
   * beforeAll of your own: this one is not run when moto is unavailable and the block skips.
   */
  readonly setup?: (moto: MotoServer) => Promise<void>;
}

/**
 * Register hooks that start one moto for the enclosing describe block (or file) and stop it
 * afterwards, and return a getter for use inside tests. When moto cannot start, every test in
 * the block is skipped with the reason, except under CI=true, where beforeAll throws.
 */
export function useMoto(options: UseMotoOptions = {}): () => MotoServer {
  let server: MotoServer | undefined;
  let unavailable: string | undefined;

  beforeAll(async () => {
    try {
      server = await startMoto(options);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (isCi()) {
        throw new Error(`moto_server is required when CI=true but could not start: ${reason}`, {
          cause: error,
        });
      }
      unavailable = reason;
      console.warn(`Skipping moto tests: ${reason} (with CI=true this fails instead).`);
      return;
    }

    await options.setup?.(server);
  });

  // Registered before any beforeEach of the caller, so theirs never runs without a moto.
  beforeEach((context) => {
    if (unavailable !== undefined) {
      context.skip(`moto unavailable: ${unavailable.split('\n')[0] ?? ''}`);
    }
  });

  afterAll(async () => {
    await server?.stop();
  });

  return () => {
    if (!server) throw new Error('moto is only available inside tests of the useMoto block');

    return server;
  };
}

/** Why moto cannot be used here, or undefined when moto_server is on PATH. */
export function motoUnavailableReason(): string | undefined {
  return isEmulatorInstalled() ? undefined : 'moto_server is not on PATH';
}

/**
 * `describe` with a moto for its tests: `getMoto()` inside a test returns the running server.
 * Without moto_server on PATH the whole block is skipped with the reason in its title (CI=true
 * fails instead); a moto that is on PATH but will not start is handled as in `useMoto`.
 */
export function describeWithMoto(
  name: string,
  body: (getMoto: () => MotoServer) => void,
  options: UseMotoOptions = {},
): void {
  const reason = motoUnavailableReason();
  if (reason !== undefined && !isCi()) {
    // The default reporter does not list skipped suites, so say it where it will be seen.
    console.warn(`Skipping "${name}": ${reason} (with CI=true this fails instead).`);
    describe.skip(`${name} (skipped: ${reason})`, () => body(() => unreachable()));
    return;
  }

  describe(name, () => body(useMoto(options)));
}

function unreachable(): never {
  throw new Error('moto getter called in a skipped block');
}
