/**
 * The local copy of one trading day under the data directory:
 *   YYYYMMDD/raw/TICKER.<json|txt>   the response exactly as received
 *   YYYYMMDD/TICKER.csv              the normalized bars
 *   YYYYMMDD/entries/TICKER.json     the ticker's manifest entry, written last
 *   YYYYMMDD/manifest.json           the merge of all entries
 * A ticker is stored once its entry file exists; the entry is written after both data files,
 * so a run killed between them simply downloads that ticker again.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { removeStaleTemporaries, writeFileAtomic } from './atomic-file.js';
import { formatBarTime, formatBarsCsv } from './bars-csv.js';
import {
  formatManifest,
  parseManifest,
  type Manifest,
  type ManifestEntry,
  type StoredFile,
} from './manifest.js';
import type { DayResult, TradingDate } from './market-data/types.js';
import { compactDate } from './trading-day.js';

/** Hex sha256 of some bytes. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The folder and files of one trading day. */
export class DayStore {
  readonly folder: string;

  constructor(
    dataDirectory: string,
    readonly date: TradingDate,
  ) {
    this.folder = join(dataDirectory, compactDate(date));
  }

  /** Absolute path of a file named relative to the day folder. */
  pathOf(file: string): string {
    return join(this.folder, file);
  }

  /** Clear what a killed run left half-written. */
  async prepare(): Promise<void> {
    await Promise.all(
      ['', 'raw', 'entries'].map((sub) => removeStaleTemporaries(join(this.folder, sub))),
    );
  }

  /** Write a downloaded day: raw bytes, CSV, then the entry that commits them. */
  async saveResult(
    ticker: string,
    sourceSymbol: string,
    result: DayResult,
    options: { provisional?: boolean } = {},
  ): Promise<ManifestEntry> {
    const raw = await this.writeFile(`raw/${ticker}.${result.rawExtension}`, result.raw);
    const csv = await this.writeFile(`${ticker}.csv`, formatBarsCsv(result.bars));
    const first = result.bars[0];
    const last = result.bars.at(-1);
    const entry: ManifestEntry = {
      ticker,
      sourceSymbol,
      status: result.bars.length === 0 ? 'empty' : 'done',
      ...(options.provisional ? { provisional: true as const } : {}),
      bars: result.bars.length,
      ...(first && last
        ? { firstBar: formatBarTime(first.time), lastBar: formatBarTime(last.time) }
        : {}),
      ...(result.metadata.currency ? { currency: result.metadata.currency } : {}),
      url: result.metadata.url,
      raw,
      csv,
      ...(result.metadata.warnings.length > 0 ? { warnings: result.metadata.warnings } : {}),
    };
    await this.saveEntry(entry);

    return entry;
  }

  /** Record a ticker's entry (a failure has no files). */
  async saveEntry(entry: ManifestEntry): Promise<void> {
    await writeFileAtomic(this.pathOf(`entries/${entry.ticker}.json`), JSON.stringify(entry));
  }

  /**
   * The committed entries of the day, by ticker; of `only` those tickers when given, so a shard
   * on a folder it shares with the others reads its own entries and not theirs.
   */
  async readEntries(only?: ReadonlySet<string>): Promise<Map<string, ManifestEntry>> {
    const entries = new Map<string, ManifestEntry>();
    let names: string[];
    try {
      names = await readdir(this.pathOf('entries'));
    } catch {
      return entries;
    }

    await Promise.all(
      names
        .filter((name) => name.endsWith('.json') && !name.startsWith('.'))
        .filter((name) => !only || only.has(name.slice(0, -'.json'.length)))
        .map(async (name) => {
          const entry = parseEntry(await readFile(this.pathOf(`entries/${name}`), 'utf8'));
          // A damaged entry (a power cut mid-write) counts as absent: the ticker is fetched again.
          if (entry) entries.set(entry.ticker, entry);
        }),
    );

    return entries;
  }

  /** Are the entry's files on disk with the recorded size and checksum? */
  async hasIntactFiles(entry: ManifestEntry): Promise<boolean> {
    const files = [entry.raw, entry.csv].filter((file): file is StoredFile => file !== undefined);
    if (files.length < 2) return false;

    const checks = await Promise.all(files.map((file) => this.matches(file)));

    return checks.every(Boolean);
  }

  /** Write the merged manifest; returns its bytes for upload. */
  async writeManifest(manifest: Manifest): Promise<string> {
    const text = formatManifest(manifest);
    await writeFileAtomic(this.pathOf('manifest.json'), text);

    return text;
  }

  /** The manifest written by the last run, if any. */
  async readManifest(): Promise<Manifest | undefined> {
    try {
      return parseManifest(await readFile(this.pathOf('manifest.json'), 'utf8'));
    } catch {
      return undefined;
    }
  }

  /** Read a stored file's bytes. */
  async readBytes(file: string): Promise<Buffer> {
    return readFile(this.pathOf(file));
  }

  private async writeFile(file: string, data: Uint8Array | string): Promise<StoredFile> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    // Not flushed: every data file is checked against its entry's sha256 before a later run
    // trusts it, so one torn by a power cut is simply fetched again.
    await writeFileAtomic(this.pathOf(file), bytes, { durable: false });

    return { file, bytes: bytes.byteLength, sha256: sha256Hex(bytes) };
  }

  private async matches(file: StoredFile): Promise<boolean> {
    try {
      const bytes = await readFile(this.pathOf(file.file));
      return bytes.byteLength === file.bytes && sha256Hex(bytes) === file.sha256;
    } catch {
      return false;
    }
  }
}

function parseEntry(text: string): ManifestEntry | undefined {
  try {
    const entry = JSON.parse(text) as ManifestEntry;
    return typeof entry.ticker === 'string' && typeof entry.status === 'string' ? entry : undefined;
  } catch {
    return undefined;
  }
}
