/** Files shipped with tickops: the default ticker list and the demo's recordings. */
import { fileURLToPath } from 'node:url';

// Both src/services and dist/services sit two levels below the package root.
const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The package's root folder. */
export const packageDirectory = packageRoot;

/** The original FTSE 100 list (late 2016), used when no ticker list is configured. */
export const bundledTickerList = fileURLToPath(new URL('../../lists/ftse100.csv', import.meta.url));

/** Recorded responses the demo replays. */
export const demoRecordings = fileURLToPath(new URL('../../demo/recordings/', import.meta.url));

/** The demo's ticker list: one recorded ticker and one unknown to the source. */
export const demoTickerList = fileURLToPath(new URL('../../demo/tickers.txt', import.meta.url));
