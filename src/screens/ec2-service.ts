/** What the EC2 screen calls; the console builds the real one over the EC2 services. */
import type { Ec2Event } from '../services/ec2/events.js';
import type { LifecycleAction, LifecycleResult } from '../services/ec2/lifecycle.js';
import type { Machine } from '../services/ec2/machine.js';
import type { Ec2Status } from '../services/ec2/status.js';

/** A launch plan as the screen shows it, with the handle to carry it out. */
export interface PreparedLaunch {
  readonly lines: readonly string[];
  readonly launch: (onEvent: (event: Ec2Event) => void) => Promise<Machine>;
}

/** The machine, from the console's side. */
export interface Ec2Service {
  status(signal: AbortSignal): Promise<Ec2Status>;
  change(
    action: LifecycleAction,
    instanceId: string,
    onEvent: (event: Ec2Event) => void,
  ): Promise<LifecycleResult>;
  /** Plan a launch of the given container image; nothing is created until `launch`. */
  prepareLaunch(image: string, onEvent: (event: Ec2Event) => void): Promise<PreparedLaunch>;
}
