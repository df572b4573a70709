import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { toYahooSymbol } from '../../src/services/market-data/yahoo.js';
import {
  loadTickerList,
  parseTickerList,
  withoutSourceAliases,
} from '../../src/services/tickers.js';

const ftse = fileURLToPath(new URL('../fixtures/ftse100.csv', import.meta.url));

describe('ticker lists', () => {
  it('reads the original FTSE 100 CSV: 98 tickers, last row without a newline', async () => {
    const list = await loadTickerList(ftse);

    expect(list.tickers).toHaveLength(98);
    expect(list.tickers[0]).toMatchObject({
      symbol: 'ADN',
      name: 'Aberdeen Asset Management',
      line: 2,
    });
    expect(list.tickers.at(-1)).toMatchObject({ symbol: 'XTA', line: 99 });
  });

  it('reads every row when CRLF and LF endings are mixed, as after appending by hand', () => {
    const text = 'ticker,name\r\nWPP,WPP plc\r\nXTA,Xstrata\nNOSUCH,Not a company\n';

    const list = parseTickerList(text, 'mixed.csv');

    expect(list.tickers.map((ticker) => [ticker.symbol, ticker.line])).toEqual([
      ['WPP', 2],
      ['XTA', 3],
      ['NOSUCH', 4],
    ]);
  });

  it('reads a plain list, trimming, skipping blanks and comments, dropping duplicates', () => {
    const list = parseTickerList(' BARC \n\n# banks\nLLOY\nBARC\r\n', 'list.txt');

    expect(list.tickers.map((ticker) => ticker.symbol)).toEqual(['BARC', 'LLOY']);
    expect(list.duplicates).toEqual(['BARC']);
  });

  it('takes symbols without case, so a hand-typed vod is VOD and not a second ticker', () => {
    const list = parseTickerList('VOD\nvod\nbarc\n', 'list.txt');

    expect(list.tickers.map((ticker) => ticker.symbol)).toEqual(['VOD', 'BARC']);
    expect(list.duplicates).toEqual(['VOD']);
  });

  it('keeps the first of two tickers the source knows by one symbol, and says which', () => {
    const list = parseTickerList('BT.A\nBARC\nBT-A\n', 'list.txt');

    const kept = withoutSourceAliases(list, (ticker) => toYahooSymbol(ticker.symbol, 'LON'));

    expect(kept.list.tickers.map((ticker) => ticker.symbol)).toEqual(['BT.A', 'BARC']);
    expect(kept.aliases).toEqual([{ ticker: 'BT-A', sameAs: 'BT.A', sourceSymbol: 'BT-A.L' }]);
  });

  it('keeps the special-character symbols of case B06 distinct', () => {
    const list = parseTickerList('BT.A\n^FTSE\nGBPUSD=X\nBRK-B\nBRK.B\n', 'b06.txt');

    expect(list.tickers.map((ticker) => ticker.symbol)).toEqual([
      'BT.A',
      '^FTSE',
      'GBPUSD=X',
      'BRK-B',
      'BRK.B',
    ]);
  });

  it('names the line of a malformed symbol', () => {
    expect(() => parseTickerList('BARC\nBT A\n', 'list.txt')).toThrow(
      "list.txt line 2: 'BT A' is not a ticker symbol",
    );
    expect(() => parseTickerList('ticker,name\nBARC,x\n../etc,y\n', 'l.csv')).toThrow(
      /l\.csv line 3/,
    );
  });

  it('rejects an empty list and a missing file with what to do', async () => {
    expect(() => parseTickerList('# nothing\n', 'empty.txt')).toThrow(
      'ticker list empty.txt has no tickers',
    );
    await expect(loadTickerList('/nonexistent/list.csv')).rejects.toThrow(
      /cannot be read \(ENOENT\)/,
    );
  });

  it('takes an explicit source_symbol column', () => {
    const list = parseTickerList('ticker,source_symbol\nBT.A,BT-A.L\n', 'm.csv');

    expect(list.tickers[0]).toMatchObject({ symbol: 'BT.A', sourceSymbol: 'BT-A.L' });
  });
});
