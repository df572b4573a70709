/**
 * The operator's ticker list: a CSV with a `ticker` column (the original FTSE 100 list) or a
 * plain file with one symbol a line. Symbols are kept as the list writes them, in capitals; the
 * source's own spelling comes from the source's mapping or an explicit column.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { ConfigError } from './errors.js';

/** One entry of the list. */
export interface Ticker {
  /** The symbol as the list writes it, in capitals; also the file and object key name. */
  readonly symbol: string;
  /** Company name when the list has one. */
  readonly name: string | undefined;
  /** An explicit source symbol from a `source_symbol` column, overriding the mapping. */
  readonly sourceSymbol: string | undefined;
  /** 1-based line of the list file, for messages. */
  readonly line: number;
}

/** What loading a list found besides the tickers. */
export interface TickerList {
  readonly tickers: readonly Ticker[];
  /** Symbols listed more than once; the first occurrence is kept. */
  readonly duplicates: readonly string[];
  readonly path: string;
}

// Letters, digits and the punctuation exchanges use in symbols: `.` and `-` for share
// classes, `^` for indices, `=` for FX and futures, `_` seen in some vendor lists. Anything
// else (spaces, slashes) cannot be a safe file or object key name.
const symbolPattern = /^[A-Za-z0-9^][A-Za-z0-9.\-=_^]{0,23}$/;

/** Is this text an acceptable ticker symbol? */
export function isValidSymbol(symbol: string): boolean {
  return symbolPattern.test(symbol) && !symbol.includes('..');
}

/** Load and check a ticker list file; every problem names the file and line. */
export async function loadTickerList(path: string): Promise<TickerList> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`ticker list ${path} cannot be read (${code})`, {
      hint: 'set --tickers or TICKOPS_TICKERS to an existing CSV or one-per-line file',
      cause: error,
    });
  }

  return parseTickerList(text, path);
}

/** Parse list text; exported for tests and for lists that do not live in a file. */
export function parseTickerList(text: string, path: string): TickerList {
  // The FTSE list ends its lines with CRLF; one appended by hand ends with LF. A CSV parser
  // that picks the first line's ending would fold the LF line into the previous field.
  const body = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const firstLine = body.split(/\r?\n/).find((line) => line.trim() !== '' && !line.startsWith('#'));
  const isCsv = firstLine !== undefined && /(^|,)\s*"?ticker"?\s*(,|$)/i.test(firstLine);
  const rows = isCsv ? readCsvRows(body, path) : readPlainRows(body);

  const tickers: Ticker[] = [];
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const listed of rows) {
    // Exchanges and sources treat symbols without case: `vod` typed by hand is VOD, and two
    // spellings must not become two tickers with two sets of objects.
    const row = { ...listed, symbol: listed.symbol.toUpperCase() };
    if (!isValidSymbol(row.symbol)) {
      throw new ConfigError(`${path} line ${row.line}: '${listed.symbol}' is not a ticker symbol`, {
        hint: 'symbols use letters, digits and . - ^ = _ only; fix or remove that line',
      });
    }
    if (seen.has(row.symbol)) {
      duplicates.push(row.symbol);
      continue;
    }
    seen.add(row.symbol);
    tickers.push(row);
  }

  if (tickers.length === 0) {
    throw new ConfigError(`ticker list ${path} has no tickers`, {
      hint: 'add one symbol a line, or a CSV with a ticker column',
    });
  }

  return { tickers, duplicates, path };
}

function readPlainRows(text: string): Ticker[] {
  const rows: Ticker[] = [];
  text.split('\n').forEach((raw, index) => {
    const symbol = raw.trim();
    if (symbol === '' || symbol.startsWith('#')) return;
    rows.push({ symbol, name: undefined, sourceSymbol: undefined, line: index + 1 });
  });

  return rows;
}

function readCsvRows(text: string, path: string): Ticker[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, {
      columns: (header: string[]) => header.map((name) => name.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      info: true,
      relax_column_count: true,
      comment: '#',
    });
  } catch (error) {
    throw new ConfigError(`${path} is not a readable CSV: ${(error as Error).message}`, {
      hint: 'check quoting on the line it names',
      cause: error,
    });
  }

  return records.map(({ record, info }) => ({
    symbol: record.ticker ?? '',
    name: record.name || undefined,
    sourceSymbol: record.source_symbol || undefined,
    line: info.lines,
  }));
}

/** A ticker left out because another one of the list asks the source for the same symbol. */
export interface SourceAlias {
  readonly ticker: string;
  readonly sameAs: string;
  readonly sourceSymbol: string;
}

/**
 * Keep the first of the tickers that ask the source for the same symbol (Yahoo spells both
 * `BT.A` and `BT-A` as `BT-A.L`): the others would download the same day again and store it
 * under a second name, which a reader of the bucket would take for two companies.
 */
export function withoutSourceAliases(
  list: TickerList,
  toSourceSymbol: (ticker: Ticker) => string,
): { readonly list: TickerList; readonly aliases: readonly SourceAlias[] } {
  const first = new Map<string, string>();
  const aliases: SourceAlias[] = [];
  const tickers = list.tickers.filter((ticker) => {
    const sourceSymbol = toSourceSymbol(ticker);
    const sameAs = first.get(sourceSymbol);
    if (sameAs === undefined) {
      first.set(sourceSymbol, ticker.symbol);
      return true;
    }

    aliases.push({ ticker: ticker.symbol, sameAs, sourceSymbol });
    return false;
  });

  return { list: { ...list, tickers }, aliases };
}
