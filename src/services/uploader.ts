/**
 * Puts a day's files into the sink, many at once, skipping every object that already holds the
 * same bytes. What is in the bucket is learned once, from a listing of the day's prefixes made
 * before the first upload; what we uploaded is remembered in a small ledger beside the day's
 * files so that ETags which are not MD5s still compare.
 */
import { readFile } from 'node:fs/promises';
import { AdaptiveLimit } from './adaptive-limit.js';
import { writeFileAtomic } from './atomic-file.js';
import { isSameContent, type RemoteObject, type UploadRecord } from './etag.js';
import { isTickopsError } from './errors.js';
import type { ObjectSink } from './object-sink.js';
import { sha256Hex } from './day-store.js';

/** One object to put. */
export interface UploadItem {
  readonly key: string;
  /** Absolute path of the local file. */
  readonly path: string;
  readonly contentType: string;
  /** The ticker it belongs to; undefined for the manifest. */
  readonly ticker?: string;
}

/** Progress of the uploads. */
export type UploadEvent =
  | { readonly type: 'upload-started'; readonly key: string; readonly ticker?: string }
  | {
      readonly type: 'uploaded' | 'unchanged';
      readonly key: string;
      readonly ticker?: string;
      readonly bytes: number;
      readonly durationMs: number;
    }
  | {
      readonly type: 'upload-failed';
      readonly key: string;
      readonly ticker?: string;
      readonly reason: string;
      readonly fatal: boolean;
    };

/** How one object ended. */
export type UploadResult = 'uploaded' | 'unchanged' | 'failed';

/** The ledger of what this machine uploaded, per sink and key. */
export class UploadLedger {
  private readonly records: Record<string, UploadRecord>;
  private changed = false;

  private constructor(
    private readonly path: string,
    records: Record<string, UploadRecord>,
  ) {
    this.records = records;
  }

  /** Load the ledger at `path`; a missing or damaged one starts empty (listings still work). */
  static async load(path: string): Promise<UploadLedger> {
    try {
      return new UploadLedger(
        path,
        JSON.parse(await readFile(path, 'utf8')) as Record<string, UploadRecord>,
      );
    } catch {
      return new UploadLedger(path, {});
    }
  }

  /** The record for a key in a sink. */
  get(sink: string, key: string): UploadRecord | undefined {
    return this.records[`${sink}|${key}`];
  }

  /** Remember a finished upload. */
  set(sink: string, key: string, record: UploadRecord): void {
    this.records[`${sink}|${key}`] = record;
    this.changed = true;
  }

  /** Write the ledger if anything changed. */
  async save(): Promise<void> {
    if (!this.changed) return;
    await writeFileAtomic(this.path, `${JSON.stringify(this.records, null, 1)}\n`);
    this.changed = false;
  }
}

/** What an Uploader needs. */
export interface UploaderOptions {
  readonly sink: ObjectSink;
  /** The listing of the day's prefixes, made before the first upload. */
  readonly existing: ReadonlyMap<string, RemoteObject>;
  readonly ledger: UploadLedger;
  readonly concurrency: number;
  readonly force?: boolean;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: UploadEvent) => void;
  readonly now?: () => number;
}

/** Uploads items as they are handed over, at most `concurrency` at a time. */
export class Uploader {
  private readonly limit: AdaptiveLimit;
  private readonly now: () => number;

  constructor(private readonly options: UploaderOptions) {
    this.limit = new AdaptiveLimit({ max: options.concurrency });
    this.now = options.now ?? Date.now;
  }

  /** Upload one item (or find it unchanged). Never throws for one object's failure. */
  async upload(item: UploadItem): Promise<UploadResult> {
    const { sink, signal } = this.options;
    const emit = this.options.onEvent ?? (() => undefined);
    await this.limit.acquire(signal);
    const started = this.now();

    try {
      const bytes = await readFile(item.path);
      const sha256 = sha256Hex(bytes);
      const remote = this.options.existing.get(item.key);
      const earlier = this.options.ledger.get(sink.description, item.key);
      const finished = (type: 'uploaded' | 'unchanged'): UploadEvent => ({
        type,
        key: item.key,
        ticker: item.ticker,
        bytes: bytes.byteLength,
        durationMs: this.now() - started,
      });
      if (!this.options.force && remote && isSameContent({ bytes, sha256 }, remote, earlier)) {
        emit(finished('unchanged'));
        return 'unchanged';
      }

      emit({ type: 'upload-started', key: item.key, ticker: item.ticker });
      const etag = await sink.put(item.key, bytes, item.contentType, signal);
      if (etag) {
        this.options.ledger.set(sink.description, item.key, {
          sha256,
          bytes: bytes.byteLength,
          etag,
        });
      }
      emit(finished('uploaded'));

      return 'uploaded';
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const reason = isTickopsError(error) ? error.message : String(error);
      const fatal = isTickopsError(error) && error.exitCode === 3;
      emit({ type: 'upload-failed', key: item.key, ticker: item.ticker, reason, fatal });

      return 'failed';
    } finally {
      this.limit.release();
    }
  }
}
