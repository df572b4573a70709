/**
 * The EC2 screen's service over the EC2 modules. The EC2 client is the costliest SDK client to
 * load (about 60 MB), so it and the EC2 modules are imported the first time the screen needs
 * them, not when the console starts.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../services/config.js';
import type { Logger } from '../services/logger.js';
import type { TickerList } from '../services/tickers.js';
import type { Ec2Service } from '../screens/ec2-service.js';
import { configuredNow } from './run-setup.js';

/** Build the screen's EC2 service; nothing is loaded until it is first called. */
export function createEc2ScreenService(
  config: Config,
  s3: S3Client,
  tickerList: TickerList,
  logger: Logger,
): Ec2Service {
  let loading: ReturnType<typeof loadModules> | undefined;
  const modules = () => (loading ??= loadModules(config));
  const context = { region: config.region, endpoint: config.endpoint, logger };

  return {
    status: async (signal) => {
      const { ec2, status, schedule } = await modules();
      return status.describeEc2Status(
        { ec2, s3 },
        {
          ...context,
          bucket: { bucket: config.bucket, region: config.region, endpoint: config.endpoint },
          layout: config.layout,
          schedule: schedule.dailyScheduleFor(config.timeZone),
          now: configuredNow(config)(),
          consoleLines: 8,
          signal,
        },
      );
    },
    change: async (action, instanceId, onEvent) => {
      const { ec2, find, lifecycle } = await modules();
      const machine = await find.findMachine(ec2, { ...context, instanceId });
      return lifecycle.changeMachineState(ec2, machine, action, { ...context, onEvent });
    },
    prepareLaunch: async (image, onEvent) => {
      const { ec2, ssm, plans, launches, spec, userData, text, launchPlan } = await modules();
      const machine = spec.machineSpecFrom(config, { image, tickerList });
      const plan = await plans.planLaunch(
        {
          ...context,
          ec2,
          ssm,
          containerImage: machine.image,
          userData: userData.renderUserData(machine),
          onEvent,
        },
        { ...launchPlan.launchDefaults, allowSecond: false },
      );
      return {
        lines: text.planLines(plan, machine.schedule),
        launch: (onLaunchEvent) =>
          launches.launchMachine(ec2, plan, { ...context, onEvent: onLaunchEvent }),
      };
    },
  };
}

async function loadModules(config: Config) {
  const [
    ec2Client,
    ssmClient,
    status,
    find,
    lifecycle,
    plans,
    launches,
    launchPlan,
    spec,
    userData,
    schedule,
    text,
  ] = await Promise.all([
    import('../services/ec2-client.js'),
    import('../services/ssm-client.js'),
    import('../services/ec2/status.js'),
    import('../services/ec2/find-machine.js'),
    import('../services/ec2/lifecycle.js'),
    import('../services/ec2/plan-launch.js'),
    import('../services/ec2/launch.js'),
    import('../services/ec2/launch-plan.js'),
    import('../services/schedule/machine-spec.js'),
    import('../services/schedule/user-data.js'),
    import('../services/schedule/daily-schedule.js'),
    import('../services/ec2/text.js'),
  ]);

  return {
    ec2: ec2Client.createEc2Client(config),
    ssm: ssmClient.createSsmClient(config),
    status,
    find,
    lifecycle,
    plans,
    launches,
    launchPlan,
    spec,
    userData,
    schedule,
    text,
  };
}
