/**
 * What the console's screens are given: the config, the clock and the services they call.
 * The command builds the real ones; tests pass fakes that emit real event sequences.
 */
import type { Ec2Service } from './ec2-service.js';
import type { BucketLevel } from '../services/bucket-browser.js';
import type { Config, KeyLayout } from '../services/config.js';
import type { CloudRunEvent } from '../services/cloud-run.js';
import type { CoverageGrid } from '../services/coverage.js';
import type { ApplyEvent, ApplyResult } from '../services/iam/apply.js';
import type { IamCheck } from '../services/iam/check.js';
import type { IamPlan } from '../services/iam/plan.js';
import type { PolicyFlavour } from '../services/iam/policy-documents.js';
import type { Identity } from '../services/identity.js';
import type { RunController } from '../services/run-controller.js';
import type { BucketState } from '../services/s3.js';
import type {
  BucketProbe,
  BucketSuggestion,
  ConfigWrite,
  Identity as AccountIdentity,
  SetupChoices,
  SetupEvent,
  SetupPlan,
} from '../services/setup.js';

/** The bucket, as the browser needs it. */
export interface BucketService {
  list(prefix: string, signal: AbortSignal): Promise<BucketLevel>;
  read(key: string, signal: AbortSignal): Promise<Uint8Array>;
  /** Copy an object into the data directory; resolves with the local path. */
  download(key: string): Promise<string>;
}

/** A day's run on AWS Batch or ECS, followed through the bucket. */
export interface CloudRunService {
  /** Look at the bucket now and every few seconds; call the result to stop. */
  follow(date: string, onEvent: (event: CloudRunEvent) => void): () => void;
  /** How often it looks, for the screen to say. */
  readonly intervalMs: number;
}

/** Which desired state a check compares against. */
export interface IamWanted {
  readonly flavour: PolicyFlavour;
  readonly ecs: boolean;
}

/** A bucket name looked at for the wizard: is it ours, free or refused, and a better name. */
export interface BucketCheck extends BucketSuggestion {
  readonly region: string;
  readonly probe: BucketProbe;
}

/** What a whole setup did. */
export interface SetupResult {
  readonly iam: ApplyResult;
  readonly bucket: BucketState;
  readonly config: ConfigWrite;
  readonly configPath: string;
}

/** The first-time setup's steps, one call each, so the wizard can repeat any of them. */
export interface SetupService {
  /** What the wizard starts from: the configured bucket, region and layout. */
  readonly defaults: {
    readonly bucket: string;
    readonly region: string;
    readonly layout: KeyLayout;
  };
  /** Where the choices are written. */
  readonly configPath: string;
  identity(signal: AbortSignal): Promise<AccountIdentity>;
  inspectBucket(
    bucket: string,
    region: string,
    accountId: string,
    signal: AbortSignal,
  ): Promise<BucketCheck>;
  plan(choices: SetupChoices, signal: AbortSignal): Promise<SetupPlan>;
  /** Apply the IAM plan, make sure the bucket exists, then write the config file. */
  apply(
    plan: SetupPlan,
    onEvent: (event: SetupEvent) => void,
    signal: AbortSignal,
  ): Promise<SetupResult>;
}

/**
 * IAM as the IAM screen needs it. The real one loads the IAM SDK client (about 20 MB) on the
 * first call, not when the console starts.
 */
export interface IamService {
  check(wanted: IamWanted, signal: AbortSignal): Promise<IamCheck>;
  plan(check: IamCheck): IamPlan;
  apply(
    plan: IamPlan,
    onEvent: (event: ApplyEvent) => void,
    signal: AbortSignal,
  ): Promise<ApplyResult>;
  readonly setup: SetupService;
}

/** Everything the screens use. */
export interface ConsoleServices {
  readonly config: Config;
  readonly now: () => number;
  /** The trading date the Run screen starts on (`--date`); today in the exchange zone if unset. */
  readonly startDate?: string;
  readonly identity: () => Promise<Identity>;
  readonly run: RunController;
  readonly cloud: CloudRunService;
  readonly bucket: BucketService;
  readonly coverage: (signal: AbortSignal) => Promise<CoverageGrid>;
  readonly iam: IamService;
  readonly ec2: Ec2Service;
}
