/**
 * The tail of an instance's console output (what cloud-init and the boot print), for seeing
 * whether the user data ran. EC2 returns it base64-encoded, and only once the instance has
 * produced some; a new instance has none for a few minutes.
 */
import { GetConsoleOutputCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { toEc2Error } from './ec2-errors.js';

/** What the console had to show. */
export type ConsoleTail =
  | { readonly state: 'available'; readonly lines: readonly string[]; readonly at?: string }
  | { readonly state: 'empty' }
  | { readonly state: 'unavailable'; readonly reason: string };

// Escape sequences and other control characters from the boot log would move the cursor or
// recolour the operator's terminal; tabs are kept.
const escapeSequence = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007]*(?:\u0007|\u001b\\)|.)/g;
const controlCharacter = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Decode console output and keep its last `count` non-empty lines, made safe to print. */
export function consoleLines(base64: string, count: number): string[] {
  const text = Buffer.from(base64, 'base64').toString('utf8');
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.replace(escapeSequence, '').replace(controlCharacter, '').trimEnd())
    .filter((line) => line !== '');

  return lines.slice(-count);
}

/** The last lines of the instance's console; a failure is reported, not thrown. */
export async function readConsoleTail(
  ec2: EC2Client,
  instanceId: string,
  options: { count?: number; region: string; signal?: AbortSignal },
): Promise<ConsoleTail> {
  try {
    const reply = await ec2.send(new GetConsoleOutputCommand({ InstanceId: instanceId }), {
      abortSignal: options.signal,
    });
    if (!reply.Output) return { state: 'empty' };

    const lines = consoleLines(reply.Output, options.count ?? 20);
    if (lines.length === 0) return { state: 'empty' };

    return { state: 'available', lines, at: reply.Timestamp?.toISOString() };
  } catch (error) {
    const wrapped = toEc2Error(error, {
      action: 'ec2:GetConsoleOutput',
      resource: instanceId,
      region: options.region,
    });

    return { state: 'unavailable', reason: wrapped.message };
  }
}
