/** The keys of the console, for the footer and the help overlay. */

/** One key binding as the operator reads it. */
export interface KeyHelp {
  readonly keys: string;
  readonly does: string;
}

/** Keys that work on every screen. */
export const globalKeys: readonly KeyHelp[] = [
  { keys: '1-5 tab S-tab', does: 'switch screen (shift-tab goes left)' },
  { keys: '?', does: 'help' },
  { keys: 'q / ctrl-c', does: 'quit' },
];

/** The keys of every scrolling list (handled by moveByKey in list-keys.ts). */
export const listKeys: readonly KeyHelp[] = [
  { keys: '↑↓ j/k', does: 'select' },
  { keys: 'pgup/pgdn', does: 'page up / down' },
  { keys: 'home/end g/G', does: 'first / last' },
];

/** Keys of the Run screen. */
export const runKeys: readonly KeyHelp[] = [
  { keys: 'enter', does: 'start run' },
  { keys: 'd', does: 'date' },
  { keys: 'F', does: 'force rerun' },
  { keys: 'r', does: 'retry failed' },
  { keys: 'x', does: 'cancel run' },
  { keys: 'c', does: 'follow the cloud run' },
  { keys: '/', does: 'filter' },
  { keys: 'esc/bksp', does: 'clear filter' },
  ...listKeys,
];

/** Keys of the Run screen while it follows a cloud run. */
export const cloudRunKeys: readonly KeyHelp[] = [
  { keys: 'c / esc', does: "back to this host's run" },
  ...listKeys,
];

/** Keys of the bucket browser. */
export const bucketKeys: readonly KeyHelp[] = [
  { keys: 'enter/→', does: 'open' },
  { keys: 'esc/bksp/←', does: 'clear filter, else back' },
  { keys: 'd', does: 'download' },
  { keys: 'R', does: 'reload' },
  { keys: '/', does: 'filter' },
  ...listKeys,
];

/** Keys of the coverage grid. */
export const coverageKeys: readonly KeyHelp[] = [
  { keys: '←↑↓→ hjkl', does: 'select cell' },
  { keys: 'pgup/pgdn', does: 'page up / down' },
  { keys: 'R', does: 're-run bad cells' },
  { keys: 'L', does: 'reload' },
];

/** Keys of the IAM screen. */
export const iamKeys: readonly KeyHelp[] = [
  { keys: 'a', does: 'apply plan' },
  { keys: 'c', does: 're-check' },
  { keys: 'o/l', does: 'original / least-privilege policy' },
  { keys: 'w', does: 'setup wizard' },
  { keys: '↑↓ j/k', does: 'select piece' },
  { keys: 'x', does: 'cancel apply' },
];

/** Keys of the setup wizard. */
export const setupKeys: readonly KeyHelp[] = [
  { keys: 'enter', does: 'next / accept' },
  { keys: 'esc', does: 'back a step' },
  { keys: 'e', does: 'edit the bucket name' },
  { keys: 's', does: 'use the suggested bucket' },
  { keys: '↑↓ j/k l/o', does: 'choose the policy' },
  { keys: 't', does: 'also trust ECS tasks' },
  { keys: 'y/n', does: 'apply the plan / not yet' },
];

/** Keys of the EC2 screen. */
export const ec2Keys: readonly KeyHelp[] = [
  { keys: 'r', does: 'refresh' },
  { keys: 's / S', does: 'stop / start' },
  { keys: 'T', does: 'terminate' },
  { keys: 'L', does: 'launch (plan first)' },
  { keys: '↑↓ j/k', does: 'select machine' },
];
