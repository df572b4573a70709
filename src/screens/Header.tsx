/** Who and where, always on screen: identity, region, bucket, trading date, market state. */
import { Box, Text } from 'ink';
import { isMarketOpen } from '../services/exchange-hours.js';
import type { Identity } from '../services/identity.js';
import { tradingDateAt } from '../services/trading-day.js';
import type { ConsoleServices } from './console-services.js';
import { fit } from './format.js';
import { useTheme } from './theme.js';

/** A screen's name and the key that opens it. */
export interface ScreenTab {
  readonly id: string;
  readonly title: string;
}

/** Props of Header. */
export interface HeaderProps {
  readonly services: ConsoleServices;
  readonly identity: Identity | undefined;
  readonly tabs: readonly ScreenTab[];
  readonly active: string;
  readonly width: number;
}

/** Two lines: the tabs, then the context. */
export function Header({ services, identity, tabs, active, width }: HeaderProps) {
  const theme = useTheme();
  const { config } = services;
  const now = services.now();
  const open = isMarketOpen(now, config.exchange, config.timeZone);
  const who = describeIdentity(identity, config.endpoint);
  const today = tradingDateAt(now, config.timeZone);
  const market = `${today} ${config.exchange} ${open ? 'open' : 'closed'}`;
  const where = `${market} · ${config.region} · s3://${config.bucket}`;

  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold color={theme.accent}>
          tickops{' '}
        </Text>
        {tabs.map((tab, index) => (
          <Text key={tab.id} inverse={tab.id === active}>
            {` ${index + 1} ${tab.title} `}
          </Text>
        ))}
      </Text>
      <Text wrap="truncate-end" dimColor={theme.dim}>
        {fit(`${where} · ${who}`, width)}
      </Text>
    </Box>
  );
}

function describeIdentity(identity: Identity | undefined, endpoint: string | undefined): string {
  const emulator = endpoint ? `emulator at ${endpoint}` : undefined;
  if (!identity) return emulator ?? 'identity…';
  if (identity.kind === 'none') return emulator ? `${emulator}, no credentials` : 'no credentials';

  return emulator ? `${identity.arn} (${emulator})` : identity.arn;
}
