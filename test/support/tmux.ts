/**
 * Drive a program in a real terminal: a detached tmux session of a given size, keys sent with
 * send-keys, the screen read with capture-pane. Each session has its own socket, so tests
 * never touch the operator's tmux server.
 */
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running tmux session. */
export interface TmuxSession {
  /** The visible screen, as text. */
  capture(): Promise<string>;
  /** Wait until the screen matches, or fail with the last capture. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Send keys as tmux names them (`Enter`, `Escape`, `q`, `C-c`). */
  send(...keys: string[]): Promise<void>;
  resize(columns: number, rows: number): Promise<void>;
  /** Lines in the pane's scrollback, above the screen. */
  historySize(): Promise<number>;
  /** The program's exit status once it has ended, else undefined. */
  exitStatus(): Promise<number | undefined>;
  kill(): Promise<void>;
}

/** Is tmux installed? */
export async function hasTmux(): Promise<boolean> {
  const result = await execa('tmux', ['-V'], { reject: false });

  return result.exitCode === 0;
}

/** Start `command` (argv) in a new session with exactly `env` (plus PATH, HOME, TERM). */
export async function startTmux(
  command: readonly string[],
  env: Record<string, string>,
  size: { columns: number; rows: number },
): Promise<TmuxSession> {
  const socket = join(tmpdir(), `tickops-tmux-${randomBytes(4).toString('hex')}`);
  const tmux = (...args: string[]) => execa('tmux', ['-S', socket, ...args], { reject: false });
  const environment = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    TERM: 'xterm-256color',
    ...env,
  };
  const assignments = Object.entries(environment).map(([key, value]) => `${key}=${value}`);

  // The program runs under a shell that prints its exit status: under load tmux 3.3 can leave
  // the ended program unreaped, and #{pane_dead_status} is then empty.
  const reporter = 'env -i "$@"; echo "[tickops exited $?]"; sleep 3600';
  await tmux(
    '-f',
    '/dev/null',
    'new-session',
    '-d',
    '-s',
    'tickops',
    '-x',
    String(size.columns),
    '-y',
    String(size.rows),
    'sh',
    '-c',
    reporter,
    'sh',
    ...assignments,
    ...command,
  );

  const capture = async () =>
    String((await tmux('capture-pane', '-p', '-t', 'tickops')).stdout ?? '');

  return {
    capture,
    async waitFor(pattern, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let screen = '';
      while (Date.now() < deadline) {
        screen = await capture();
        if (pattern.test(screen)) return screen;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`screen never matched ${pattern}; last screen:\n${screen}`);
    },
    async send(...keys) {
      for (const key of keys) {
        await tmux('send-keys', '-t', 'tickops', key);
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
    },
    async resize(columns, rows) {
      await tmux('resize-window', '-t', 'tickops', '-x', String(columns), '-y', String(rows));
    },
    async historySize() {
      const shown = await tmux('display-message', '-p', '-t', 'tickops', '#{history_size}');
      return Number(String(shown.stdout ?? '').trim());
    },
    async exitStatus() {
      const match = /\[tickops exited (\d+)\]/.exec(await capture());
      return match ? Number(match[1]) : undefined;
    },
    async kill() {
      await tmux('kill-server');
      // tmux leaves its socket file behind once the server is gone.
      await rm(socket, { force: true });
    },
  };
}
