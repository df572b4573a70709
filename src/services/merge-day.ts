/**
 * Merge a sharded day: find the parts in the bucket, read each (from the day folder when it
 * holds an identical copy, else from the bucket), merge them, and when every shard is there
 * write the day's manifest and upload it to the layout's manifest key. The bucket's listing
 * decides which parts exist, so a part a shard wrote locally but could not upload (its
 * objects did not all make it) counts as missing: the merged manifest, like a whole-list
 * run's, promises that everything it lists is in the bucket.
 */
import { readFile } from 'node:fs/promises';
import type { KeyLayout } from './config.js';
import { sha256Hex, type DayStore } from './day-store.js';
import { isSameContent, type RemoteObject } from './etag.js';
import { AccessDeniedError, AwsResourceError, TickopsError } from './errors.js';
import type { TradingDate } from './market-data/types.js';
import { mergeParts, type PartConflict, type PartsMerge } from './merge-manifest.js';
import type { PartReader } from './merge-read.js';
import type { ObjectSink } from './object-sink.js';
import { listingPrefix, objectKey } from './run-day.js';
import { allShards, type Shard } from './shard.js';
import {
  localPartFile,
  parseManifestPart,
  partCounts,
  partKey,
  partsPrefix,
  uploadLedgerFile,
  type ManifestPart,
} from './shard-part.js';
import { UploadLedger, Uploader, type UploadResult } from './uploader.js';

/** What a merge needs; the sink and reader come from the same place as the run's. */
export interface MergeDayOptions {
  readonly date: TradingDate;
  readonly layout: KeyLayout;
  /** The run's shard count; without it, the one count the bucket's parts agree on. */
  readonly count?: number;
  readonly store: DayStore;
  readonly sink: ObjectSink;
  readonly reader: PartReader;
  readonly signal?: AbortSignal;
}

/** The merge, where it went, and how many parts had to be read from the bucket. */
export interface DayMerge extends PartsMerge {
  readonly date: TradingDate;
  readonly key: string;
  readonly result: UploadResult | 'held-back';
  readonly readFromBucket: number;
}

type ReadPart =
  | { readonly kind: 'missing' }
  | { readonly kind: 'part'; readonly part: ManifestPart; readonly fromBucket: boolean }
  | { readonly kind: 'bad'; readonly conflict: PartConflict };

/** Merge the day's parts and upload the day's manifest when the set is complete. */
export async function mergeDay(options: MergeDayOptions): Promise<DayMerge> {
  const { date, layout, sink, signal } = options;
  const prefix = partsPrefix(layout.manifest, date);
  const listed = await sink.list(prefix, signal);
  const count = options.count ?? inferCount(listed, prefix, sink.description);

  const reads = await Promise.all(
    allShards(count).map((shard) => readPart(options, listed, shard)),
  );
  const parts = reads.flatMap((read) => (read.kind === 'part' ? [read.part] : []));
  const bad = reads.flatMap((read) => (read.kind === 'bad' ? [read.conflict] : []));
  const merged = mergeParts(parts, count);
  const merge: PartsMerge = {
    ...merged,
    missing: merged.missing.filter((index) => !bad.some((item) => item.shard === index)),
    conflicts: [...merged.conflicts, ...bad].sort((a, b) => a.shard - b.shard),
    complete: merged.complete && bad.length === 0,
  };
  const key = objectKey(layout.manifest, date);
  const readFromBucket = reads.filter((read) => read.kind === 'part' && read.fromBucket).length;

  if (!merge.complete || !merge.manifest) {
    return { ...merge, date, key, result: 'held-back', readFromBucket };
  }

  await options.store.writeManifest(merge.manifest);
  const result = await uploadDayManifest(options, key);

  return { ...merge, date, key, result, readFromBucket };
}

function inferCount(listed: ReadonlyMap<string, RemoteObject>, prefix: string, where: string) {
  const counts = partCounts(listed, prefix);

  if (counts.size === 1) return [...counts][0] as number;
  if (counts.size === 0) {
    throw new TickopsError(`no shard parts under ${prefix} in ${where}: nothing to merge`, {
      hint: 'run the shards first (tickops --run-today --shard K/N), or check --date',
    });
  }
  const found = [...counts].sort((a, b) => a - b).join(' and ');
  throw new TickopsError(`parts of runs with ${found} shards are under ${prefix}`, {
    hint: 'say which run to merge with --shards N',
  });
}

async function readPart(
  options: MergeDayOptions,
  listed: ReadonlyMap<string, RemoteObject>,
  shard: Shard,
): Promise<ReadPart> {
  const key = partKey(options.layout.manifest, options.date, shard);
  const remote = listed.get(key);
  if (!remote) return { kind: 'missing' };

  const local = await readLocalCopy(options, shard, key, remote);
  const text = local ?? (await options.reader.read(key, options.signal));
  if (text === undefined) return { kind: 'missing' };

  const part = parseManifestPart(text);
  if (!part || part.shard.index !== shard.index || part.shard.count !== shard.count) {
    const conflict = { shard: shard.index, reason: `${key} is not this shard's manifest part` };
    return { kind: 'bad', conflict };
  }

  return { kind: 'part', part, fromBucket: local === undefined };
}

/** The day folder's copy of a part, when it holds exactly what the bucket holds. */
async function readLocalCopy(
  options: MergeDayOptions,
  shard: Shard,
  key: string,
  remote: RemoteObject,
): Promise<string | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(options.store.pathOf(localPartFile(shard)));
  } catch {
    return undefined;
  }

  const ledger = await UploadLedger.load(options.store.pathOf(uploadLedgerFile(shard)));
  const earlier = ledger.get(options.sink.description, key);

  return isSameContent({ bytes, sha256: sha256Hex(bytes) }, remote, earlier)
    ? bytes.toString('utf8')
    : undefined;
}

async function uploadDayManifest(options: MergeDayOptions, key: string): Promise<UploadResult> {
  const { sink, signal, store } = options;
  const existing = await sink.list(listingPrefix(options.layout.manifest, options.date), signal);
  const ledger = await UploadLedger.load(store.pathOf(uploadLedgerFile()));
  let failure: { reason: string; fatal: boolean } | undefined;
  const uploader = new Uploader({
    sink,
    existing,
    ledger,
    concurrency: 1,
    signal,
    onEvent: (event) => {
      if (event.type === 'upload-failed') failure = event;
    },
  });

  const result = await uploader.upload({
    key,
    path: store.pathOf('manifest.json'),
    contentType: 'application/json',
  });
  await ledger.save();
  if (result !== 'failed') return result;

  const reason = failure?.reason ?? `upload of ${key} failed`;
  if (failure?.fatal) {
    throw new AccessDeniedError(reason, { hint: 'the merge needs s3:PutObject on the manifest' });
  }
  throw new AwsResourceError(reason, { hint: 'run the merge again; the parts are kept' });
}
