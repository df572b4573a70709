/**
 * Progress of the EC2 operations, as typed events handed to a callback: the command prints
 * them as lines or JSON, the screen turns them into state.
 */
import type { MachineState } from './machine.js';

/** Something an EC2 operation did or is waiting for. */
export type Ec2Event =
  | { readonly type: 'step'; readonly message: string }
  | { readonly type: 'image-fallback'; readonly reason: string }
  | { readonly type: 'security-group-created'; readonly groupId: string; readonly vpcId: string }
  | { readonly type: 'ssh-rule-added'; readonly groupId: string; readonly cidr: string }
  | {
      /** EC2 does not accept the instance profile yet (IAM is eventually consistent). */
      readonly type: 'profile-retry';
      readonly profile: string;
      readonly attempt: number;
      readonly delayMs: number;
      readonly elapsedMs: number;
      readonly maxWaitMs: number;
    }
  | { readonly type: 'launched'; readonly instanceId: string }
  | { readonly type: 'state'; readonly instanceId: string; readonly state: MachineState }
  | {
      readonly type: 'state-change';
      readonly instanceId: string;
      readonly from: MachineState | undefined;
      readonly to: MachineState | undefined;
    };

/** Where events go; the default drops them. */
export type Ec2EventHandler = (event: Ec2Event) => void;

/** A handler that ignores everything. */
export const ignoreEvents: Ec2EventHandler = () => undefined;

/** How services wait between polls; injected so tests need not wait. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;
