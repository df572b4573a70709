import { describe, expect, it } from 'vitest';

import { failure } from './failure.js';
import { useReplyServer } from './reply-server.js';

const scripted = useReplyServer();
const fallback = useReplyServer({ fallback: (response) => response.end('fallback') });

describe('useReplyServer', () => {
  it('answers with the scripted replies in order, then 500, and records each request', async () => {
    scripted.replies.push((response) => response.end('one'));
    scripted.replies.push((response) => response.writeHead(404).end('two'));

    const answers: [number, string][] = [];
    for (const path of ['/a', '/b', '/c']) {
      const response = await fetch(`${scripted.url()}${path}`, { headers: { 'x-probe': path } });
      answers.push([response.status, await response.text()]);
    }

    expect(answers).toEqual([
      [200, 'one'],
      [404, 'two'],
      [500, 'unscripted'],
    ]);
    expect(scripted.requests.map((request) => request.url)).toEqual(['/a', '/b', '/c']);
    expect(scripted.requests.at(-1)?.headers['x-probe']).toBe('/c');
  });

  it('uses the fallback reply once the script has run out', async () => {
    const response = await fetch(`${fallback.url()}/any`);

    expect(await response.text()).toBe('fallback');
  });
});

describe('failure', () => {
  it('returns what the promise rejects with', async () => {
    const error = new Error('boom');

    expect(await failure(Promise.reject(error))).toBe(error);
  });

  it('throws when the promise resolves', async () => {
    await expect(failure(Promise.resolve('fine'))).rejects.toThrow('expected a rejection');
  });
});
