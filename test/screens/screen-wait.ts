/** Waiting for a frame: generous, because a loaded 2-core CI machine redraws slowly. */
import { vi } from 'vitest';

/**
 * vi.waitFor with a 5 s limit instead of 1 s. Ink draws a frame as React commits and binds key
 * handlers (a prompt that just opened) in effects that React may run a moment later, so once
 * the check passes this also lets those effects run before the test sends its next key.
 */
export async function waitFor<T>(check: () => T | Promise<T>): Promise<T> {
  const result = await vi.waitFor(check, { timeout: 5_000, interval: 20 });
  // React runs its work in slices, one per event-loop turn; a few turns let the effects of
  // the render that drew this frame run even when a busy machine cuts the slices short.
  for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setImmediate(resolve));

  return result;
}

/** What sendWhenDrawn needs of a rendered screen. */
interface Rendered {
  readonly stdout: { write: (frame: string) => void };
  readonly stdin: { write: (data: string) => void };
}

/**
 * Send `key` the moment a frame matching `pattern` is drawn, before React has run that
 * render's effects: a quick typist on a loaded machine. Resolves once the key is sent.
 */
export function sendWhenDrawn(screen: Rendered, pattern: RegExp, key: string): Promise<void> {
  const stdout = screen.stdout;
  const write = stdout.write;

  return new Promise((resolve) => {
    stdout.write = (frame) => {
      write(frame);
      if (!pattern.test(frame)) return;

      stdout.write = write;
      queueMicrotask(() => {
        screen.stdin.write(key);
        resolve();
      });
    };
  });
}
