import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/screens/format.js';

describe('sizes', () => {
  it('counts kB and MB in thousands, as their names say', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1000)).toBe('1.0 kB');
    expect(formatBytes(49_800)).toBe('49.8 kB');
    expect(formatBytes(999_949)).toBe('999.9 kB');
    expect(formatBytes(999_950)).toBe('1.0 MB');
    expect(formatBytes(4_800_000)).toBe('4.8 MB');
  });
});
