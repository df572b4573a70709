/**
 * A local AWS emulator (`moto_server`) started by tickops itself: for the demo and for the
 * integration tests. One process on its own loopback port, stopped by its pid.
 *
 * Observed with moto 5.2.1: the server binds in about 0.4 s and then answers `GET /moto-api/`;
 * that endpoint does not count towards INITIAL_NO_AUTH_ACTION_COUNT, so it is safe as a
 * readiness probe (a plain `GET /` would be a ListBuckets and use one up).
 */
import { accessSync, constants } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type ResultPromise } from 'execa';

/** Credentials moto accepts from anyone until IAM enforcement starts. */
export const emulatorRootCredentials = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

/** Region the emulator's clients and child processes use. */
export const emulatorRegion = 'eu-west-1';

const readyTimeoutMs = 30_000;
const stopGraceMs = 5_000;
const bindAttempts = 3;
const outputTailChars = 4_000;

/** How a test wants moto started. */
export interface EmulatorOptions {
  /**
   * Let this many actions through unauthenticated, then enforce IAM. Root `test/test` is not an
   * IAM user, so after that only keys made by `createIamUserWithPolicy` work.
   */
  readonly enforceIamAfter?: number;
}

/** A running moto_server started by this process. */
export interface LocalEmulator {
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** Environment a child process of ours needs to reach this moto with root credentials. */
  readonly env: Readonly<Record<string, string>>;
  /**
   * Forget every resource and restart the unauthenticated-action count, either at the value
   * given at start or at `enforceIamAfter` given here.
   */
  reset(options?: EmulatorOptions): Promise<void>;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process has exited. */
  stop(): Promise<void>;
}

class PortTakenError extends Error {}

/** Pick a loopback port that was free a moment ago; the caller must cope with losing a race. */
async function pickFreePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });

  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));

  return port;
}

/** Our environment without anything that would change how moto behaves or what it can reach. */
function motoEnvironment(options: EmulatorOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    // An inherited MOTO_PORT or INITIAL_NO_AUTH_ACTION_COUNT would silently change the server.
    const foreign = /^(AWS_|MOTO_)/.test(key) || key === 'INITIAL_NO_AUTH_ACTION_COUNT';
    if (value !== undefined && !foreign) env[key] = value;
  }

  env.AWS_EC2_METADATA_DISABLED = 'true';
  if (options.enforceIamAfter !== undefined) {
    env.INITIAL_NO_AUTH_ACTION_COUNT = String(options.enforceIamAfter);
  }

  return env;
}

/** Start moto_server on a fresh loopback port and wait until it answers. */
export async function startLocalEmulator(options: EmulatorOptions = {}): Promise<LocalEmulator> {
  if (!isEmulatorInstalled()) throw new Error('moto_server is not on PATH');

  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnFreePort(options);
    } catch (error) {
      // Another process took the port between our probe closing it and moto binding it.
      if (!(error instanceof PortTakenError) || attempt >= bindAttempts) throw error;
    }
  }
}

async function startOnFreePort(options: EmulatorOptions): Promise<LocalEmulator> {
  const port = await pickFreePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const subprocess = execa('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    env: motoEnvironment(options),
    extendEnv: false,
    detached: false,
    // execa kills the child if this process exits first, which covers a crashed test run.
    cleanup: true,
    forceKillAfterDelay: stopGraceMs,
    stdin: 'ignore',
    buffer: false,
    reject: false,
  });

  let output = '';
  const keepTail = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-outputTailChars);
  };
  // Werkzeug logs every request; an unread pipe would fill up and stall the server.
  subprocess.stdout?.on('data', keepTail);
  subprocess.stderr?.on('data', keepTail);

  let exited = false;
  const exit = subprocess.then((result) => {
    exited = true;
    // A spawn failure (ENOENT, EACCES) leaves no output; execa's summary says what happened.
    if (result.failed && output === '') keepTail(Buffer.from(result.shortMessage ?? 'no output'));
  });

  try {
    await waitUntilReady(
      endpoint,
      port,
      () => exited,
      () => output,
    );
  } catch (error) {
    await stopSubprocess(subprocess, exit);
    throw error;
  }

  return describeServer(subprocess, exit, endpoint, port, options);
}

async function waitUntilReady(
  endpoint: string,
  port: number,
  hasExited: () => boolean,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + readyTimeoutMs;

  // The bind line proves that our own process holds the port, not some other server that
  // happened to grab it; the probe proves that the app behind it answers.
  const boundLine = `Running on http://127.0.0.1:${port}`;
  while (Date.now() < deadline) {
    if (hasExited()) {
      const tail = output();
      if (tail.includes('Address already in use')) throw new PortTakenError(tail);
      throw new Error(`moto_server exited before it was ready on port ${port}:\n${tail}`);
    }

    if (output().includes(boundLine) && (await answersProbe(endpoint))) return;

    await sleep(50);
  }

  throw new Error(
    `moto_server did not answer on ${endpoint}/moto-api/ within ${readyTimeoutMs} ms:\n${output()}`,
  );
}

async function answersProbe(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();

    return response.ok;
  } catch {
    return false;
  }
}

async function stopSubprocess(subprocess: ResultPromise, exit: Promise<void>): Promise<void> {
  // execa sends SIGKILL itself when SIGTERM has not worked after forceKillAfterDelay.
  subprocess.kill('SIGTERM');
  await exit;
}

function describeServer(
  subprocess: ResultPromise,
  exit: Promise<void>,
  endpoint: string,
  port: number,
  options: EmulatorOptions,
): LocalEmulator {
  const pid = subprocess.pid;
  if (pid === undefined) throw new Error('moto_server started without a pid');

  let stopping: Promise<void> | undefined;

  return {
    endpoint,
    port,
    pid,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: emulatorRootCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: emulatorRootCredentials.secretAccessKey,
      AWS_REGION: emulatorRegion,
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    async reset(resetOptions = {}) {
      await postMotoApi(endpoint, 'reset', '');

      // Reset keeps moto's count of unauthenticated actions, so without this an enforcing
      // server would come back with no users and nobody allowed in.
      const allowance = resetOptions.enforceIamAfter ?? options.enforceIamAfter;
      await postMotoApi(
        endpoint,
        'reset-auth',
        allowance === undefined ? 'inf' : String(allowance),
      );
    },
    stop() {
      stopping ??= stopSubprocess(subprocess, exit);

      return stopping;
    },
  };
}

async function postMotoApi(endpoint: string, action: string, body: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/${action}`, { method: 'POST', body });
  const text = await response.text();
  if (!response.ok) throw new Error(`moto ${action} failed: ${response.status} ${text}`);
}

/** Is moto_server on PATH? */
export function isEmulatorInstalled(): boolean {
  const directories = (process.env.PATH ?? '').split(delimiter).filter(Boolean);

  return directories.some((directory) => isExecutable(join(directory, 'moto_server')));
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
