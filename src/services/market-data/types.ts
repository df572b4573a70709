/** The one interface every market-data source plugs in behind. */

/** One one-minute bar: an exact UTC instant and the prices as the source reported them. */
export interface Bar {
  /** Start of the bar, milliseconds since the Unix epoch (UTC). */
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** A trading date in the exchange's own calendar, e.g. `2024-10-25`. */
export type TradingDate = string;

/** What a source needs to fetch one trading day for one ticker. */
export interface DayRequest {
  /** The symbol as the source knows it (`BARC.L` on Yahoo, `BARC` on Google). */
  readonly sourceSymbol: string;
  /** The symbol as the operator's list names it; used for messages only. */
  readonly ticker: string;
  readonly date: TradingDate;
  /** IANA zone of the exchange, used to cut the trading day out of the response. */
  readonly timeZone: string;
  /** Exchange code in the source's terms (`LON`, `NASDAQ`). */
  readonly exchange: string;
  readonly signal?: AbortSignal;
}

/** Where a day's data came from, kept in the manifest beside the bars. */
export interface SourceMetadata {
  /** Source name as configured (`yahoo`, `google`, `replay`, `simulated`). */
  readonly source: string;
  /** The request as sent, without credentials (there are none for these sources). */
  readonly url: string;
  /** Currency unit the source reported, verbatim (`GBp` means pence). Unknown when absent. */
  readonly currency: string | undefined;
  /** Exchange time zone the source reported, when it did. */
  readonly exchangeTimeZone: string | undefined;
  /** Parse problems that did not stop the day: one line each, with the line or index. */
  readonly warnings: readonly string[];
}

/** One trading day of one ticker, as received and as parsed. */
export interface DayResult {
  /** The response body byte for byte, for the raw copy. */
  readonly raw: Uint8Array;
  /** File extension of the raw copy: `json` or `txt`. */
  readonly rawExtension: 'json' | 'txt';
  /** Bars of the requested trading date only, sorted by time, no duplicates. */
  readonly bars: readonly Bar[];
  readonly metadata: SourceMetadata;
}

/** A market-data source. Implementations throw MarketDataError for every failure. */
export interface MarketDataSource {
  readonly name: string;
  /** True when the data is generated, never recorded or live; shown to the operator. */
  readonly simulated: boolean;
  /** Map a symbol of the operator's list to this source's symbol. */
  toSourceSymbol(ticker: string, exchange: string): string;
  /**
   * Why this source cannot serve the date at all (Yahoo keeps 1-minute bars for about 30
   * days), or undefined when it can. Checked once before a run, not per ticker.
   */
  checkDate(date: TradingDate, now: number): string | undefined;
  fetchDay(request: DayRequest): Promise<DayResult>;
}
