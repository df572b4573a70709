/**
 * Is the object in the bucket the same as the local file? Decided from what ListObjectsV2
 * returns (size and ETag), because the s3_upload policy allows neither HeadObject nor
 * GetObject. A single-part PUT's ETag is the MD5 of the body. A multipart upload's ETag is the
 * MD5 of the parts' MD5s plus `-N`, which we recompute for the part sizes common tools use.
 * Any other form (SSE-KMS, unknown tools) is trusted only when it equals the ETag S3 gave us
 * for the same bytes on an earlier upload.
 */
import { createHash } from 'node:crypto';

/** What we know of a local file. */
export interface LocalContent {
  readonly bytes: Uint8Array;
  readonly sha256: string;
}

/** What the listing says of an object. */
export interface RemoteObject {
  readonly key: string;
  readonly size: number;
  readonly etag: string | undefined;
  readonly lastModified?: Date;
}

/** What an earlier upload of ours recorded for a key. */
export interface UploadRecord {
  readonly sha256: string;
  readonly bytes: number;
  readonly etag: string;
}

const MiB = 1024 * 1024;

// The AWS SDK's lib-storage uses 5 MiB parts, the aws CLI 8 MiB, and some tools 16 MiB.
const commonPartSizes = [5 * MiB, 8 * MiB, 16 * MiB];

/** Lowercase hex MD5. */
export function md5Hex(data: Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

/** An ETag without the double quotes S3 puts around it. */
export function stripEtagQuotes(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"|"$/g, '');
}

/** The ETag S3 gives a multipart upload of `data` in parts of `partSize` bytes. */
export function multipartEtag(data: Uint8Array, partSize: number): string {
  const digests: Buffer[] = [];
  for (let offset = 0; offset < data.byteLength; offset += partSize) {
    digests.push(
      createHash('md5')
        .update(data.subarray(offset, offset + partSize))
        .digest(),
    );
  }

  return `${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${digests.length}`;
}

/** Decide whether the remote object holds exactly the local bytes. */
export function isSameContent(
  local: LocalContent,
  remote: RemoteObject,
  earlier: UploadRecord | undefined,
): boolean {
  if (remote.size !== local.bytes.byteLength || remote.etag === undefined) return false;

  const etag = stripEtagQuotes(remote.etag).toLowerCase();
  if (earlier && earlier.sha256 === local.sha256 && stripEtagQuotes(earlier.etag) === etag) {
    return true;
  }

  if (/^[0-9a-f]{32}$/.test(etag)) return etag === md5Hex(local.bytes);

  const multipart = /^[0-9a-f]{32}-(\d+)$/.exec(etag);
  if (multipart) {
    const parts = Number(multipart[1]);
    return commonPartSizes
      .filter((size) => Math.ceil(local.bytes.byteLength / size) === parts)
      .some((size) => multipartEtag(local.bytes, size) === etag);
  }

  return false;
}
