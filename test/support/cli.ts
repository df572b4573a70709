/** Run the built `tickops` binary as the container does: no TTY, settings from the environment. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa, type Options } from 'execa';

/** The compiled entry point; `npm test` builds it first. */
export const tickopsBinary = fileURLToPath(new URL('../../dist/commands/main.js', import.meta.url));

/** What a finished run printed. */
export interface CliResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Run tickops with exactly the given environment (plus PATH): nothing of the caller's AWS
 * settings leaks in, and the SDK never probes the instance-metadata address.
 */
export async function runTickops(
  args: readonly string[],
  env: Record<string, string>,
  options: Options = {},
): Promise<CliResult> {
  if (!existsSync(tickopsBinary))
    throw new Error('dist/ is missing: run npm run build (npm test does)');

  const result = await execa('node', [tickopsBinary, ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      ...env,
    },
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    timeout: 120_000,
    ...options,
  });

  return {
    exitCode: result.exitCode ?? -1,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
  };
}
