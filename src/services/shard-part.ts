/**
 * A shard's manifest part: the manifest of its own tickers plus which shard it is. Its key is
 * derived from the layout's manifest key, `manifests/20241025.json` giving
 * `manifests/20241025/parts/3-of-8.json`, so no two shards (and no two shard counts) can write
 * the same object, and the least-privilege policy's `manifests/*` already covers it. Locally a
 * part is `20241025/parts/3-of-8.json` in the day folder.
 */
import { writeFileAtomic } from './atomic-file.js';
import type { RemoteObject } from './etag.js';
import type { DayStore } from './day-store.js';
import { formatManifest, parseManifest, type Manifest } from './manifest.js';
import type { TradingDate } from './market-data/types.js';
import { shardFileName, type Shard } from './shard.js';
import { compactDate } from './trading-day.js';

/** One shard's part of the day's manifest. */
export interface ManifestPart extends Manifest {
  readonly shard: Shard;
}

/** The folder under the day's manifest key that holds the parts. */
export function partsPrefix(manifestTemplate: string, date: TradingDate): string {
  return partsFolderOf(manifestTemplate.replaceAll('{date}', compactDate(date)));
}

/**
 * The parts of every day as an IAM key pattern (for the default layout, `manifests/`, a star,
 * `/parts/`, a star): what a shard may read back to merge the day, and no other manifest.
 */
export function partsPattern(manifestTemplate: string): string {
  return `${partsFolderOf(manifestTemplate.replaceAll('{date}', '*'))}*`;
}

function partsFolderOf(manifestKey: string): string {
  // `manifests/20241025.json` and `manifests/20241025/` may both exist, in S3 and in a folder
  // sink alike; a key without the extension gets a suffix so a file and a folder never clash.
  const base = manifestKey.endsWith('.json')
    ? manifestKey.slice(0, -'.json'.length)
    : `${manifestKey}.parts`;

  return `${base}/parts/`;
}

/** The object key of a shard's part. */
export function partKey(manifestTemplate: string, date: TradingDate, shard: Shard): string {
  return `${partsPrefix(manifestTemplate, date)}${shardFileName(shard)}.json`;
}

/** The key a run finishes with: the day's manifest, or for a shard its part. */
export function runManifestKey(template: string, date: TradingDate, shard?: Shard): string {
  return shard ? partKey(template, date, shard) : template.replaceAll('{date}', compactDate(date));
}

/** Each shard keeps its own upload ledger: shards on one host would overwrite a shared one. */
export function uploadLedgerFile(shard?: Shard): string {
  return shard ? `.uploads.${shardFileName(shard)}.json` : '.uploads.json';
}

/** The part's file, relative to the day folder. */
export function localPartFile(shard: Shard): string {
  return `parts/${shardFileName(shard)}.json`;
}

/** Serialize a part exactly as a manifest is, with the shard after the header. */
export function formatManifestPart(part: ManifestPart): string {
  return formatManifest(part);
}

/** Write a shard's manifest as its part in the day folder. */
export async function writeManifestPart(
  store: DayStore,
  manifest: Manifest,
  shard: Shard,
): Promise<void> {
  const { tickers, ...header } = manifest;
  const part: ManifestPart = { ...header, shard, tickers };

  await writeFileAtomic(store.pathOf(localPartFile(shard)), formatManifestPart(part));
}

/** Read a part, or undefined when the text is not one. */
export function parseManifestPart(text: string): ManifestPart | undefined {
  const manifest = parseManifest(text) as (Manifest & { shard?: Partial<Shard> }) | undefined;
  const index = manifest?.shard?.index;
  const count = manifest?.shard?.count;
  if (!manifest || typeof index !== 'number' || typeof count !== 'number') return undefined;
  if (!Number.isInteger(index) || !Number.isInteger(count) || index < 0 || index >= count) {
    return undefined;
  }

  return { ...manifest, shard: { index, count } };
}

/** The shard counts of the parts listed under `prefix`: one, unless two runs of the day differ. */
export function partCounts(listed: ReadonlyMap<string, RemoteObject>, prefix: string): Set<number> {
  const counts = new Set<number>();
  for (const key of listed.keys()) {
    const match = key.startsWith(prefix) && /^\d+-of-(\d+)\.json$/.exec(key.slice(prefix.length));
    if (match) counts.add(Number(match[1]));
  }

  return counts;
}
