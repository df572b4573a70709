import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tickopsBinary } from '../support/cli.js';

/** Every bare package a compiled module reaches through static imports. */
function packagesReachedFrom(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    // Static imports only: `import('...')` is how the entry point defers what it may not need.
    for (const match of text.matchAll(/^(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)) {
      const specifier = match[1] ?? '';
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else
        packages.add(
          specifier.startsWith('@')
            ? specifier.split('/').slice(0, 2).join('/')
            : (specifier.split('/')[0] ?? ''),
        );
    }
  };
  visit(entry);

  return packages;
}

describe('the --run-today start-up path', () => {
  it('never loads Ink or React, statically or through run-today', () => {
    const main = packagesReachedFrom(tickopsBinary);
    const runToday = packagesReachedFrom(join(dirname(tickopsBinary), 'run-today.js'));

    for (const reached of [main, runToday]) {
      expect([...reached]).not.toContain('ink');
      expect([...reached]).not.toContain('react');
    }
    expect([...main]).toEqual(['commander']);
  });
});
