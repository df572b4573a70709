import { describe, expect, it } from 'vitest';
import { isSameContent, md5Hex, multipartEtag, stripEtagQuotes } from '../../src/services/etag.js';
import { sha256Hex } from '../../src/services/day-store.js';

const MiB = 1024 * 1024;

function caseFile(): Uint8Array {
  const bytes = new Uint8Array(12 * MiB);
  for (let index = 0; index < bytes.length; index += 1) bytes[index] = index % 256;

  return bytes;
}

describe('content comparison by ETag (case B07: multipart uploads)', () => {
  const bytes = caseFile();
  const local = { bytes, sha256: sha256Hex(bytes) };

  it('computes the whole-file MD5 and the multipart ETags of the case', () => {
    expect(md5Hex(bytes)).toBe('ee8e104a3ce4b8f60f0e0106f20f51a4');
    expect(multipartEtag(bytes, 5 * MiB)).toBe('19019d16dd0f439825c39a2c5b9178fd-3');
    expect(multipartEtag(bytes, 8 * MiB)).toBe('ced53fb2e4a477a442f2b7ad14abff57-2');
  });

  it('finds a 5 MiB multipart object unchanged, quotes stripped', () => {
    const remote = { key: 'k', size: bytes.length, etag: '"19019d16dd0f439825c39a2c5b9178fd-3"' };

    expect(isSameContent(local, remote, undefined)).toBe(true);
  });

  it('finds an 8 MiB multipart object unchanged', () => {
    const remote = { key: 'k', size: bytes.length, etag: '"ced53fb2e4a477a442f2b7ad14abff57-2"' };

    expect(isSameContent(local, remote, undefined)).toBe(true);
  });

  it('compares a single-part ETag with the plain MD5', () => {
    const small = new TextEncoder().encode('time,open\n');
    const content = { bytes: small, sha256: sha256Hex(small) };

    expect(
      isSameContent(
        content,
        { key: 'k', size: small.length, etag: `"${md5Hex(small)}"` },
        undefined,
      ),
    ).toBe(true);
    expect(
      isSameContent(
        content,
        { key: 'k', size: small.length, etag: '"0123456789abcdef0123456789abcdef"' },
        undefined,
      ),
    ).toBe(false);
  });

  it('trusts an unknown ETag form only when our own upload of the same bytes recorded it', () => {
    const kmsEtag = '"a1b2c3"';
    const remote = { key: 'k', size: bytes.length, etag: kmsEtag };

    expect(isSameContent(local, remote, undefined)).toBe(false);
    expect(
      isSameContent(local, remote, { sha256: local.sha256, bytes: bytes.length, etag: kmsEtag }),
    ).toBe(true);
    expect(
      isSameContent(local, remote, { sha256: 'other', bytes: bytes.length, etag: kmsEtag }),
    ).toBe(false);
  });

  it('treats a different size as different content without hashing', () => {
    const remote = {
      key: 'k',
      size: bytes.length - 1,
      etag: '"19019d16dd0f439825c39a2c5b9178fd-3"',
    };

    expect(isSameContent(local, remote, undefined)).toBe(false);
  });

  it('strips quotes and weak markers', () => {
    expect(stripEtagQuotes('"abc"')).toBe('abc');
    expect(stripEtagQuotes('W/"abc"')).toBe('abc');
  });
});
