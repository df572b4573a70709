/**
 * A small in-memory IAM speaking the real wire protocol (form-encoded query in, XML out) on a
 * loopback port, so the SDK's own parsing of IAM's errors is exercised. It holds only what
 * tickops touches, answers with the messages AWS gives (case B12), returns documents
 * URL-encoded as AWS does, and records every action called.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import {
  startScriptedServer,
  type ScriptedReply,
  type ScriptedServer,
} from '../../support/scripted-http.js';
import {
  errorReply,
  member,
  okReply,
  policyXml,
  profileXml,
  roleXml,
  versionXml,
} from './fake-iam-xml.js';

/** One stored policy version. */
export interface FakeVersion {
  id: string;
  document: string;
  isDefault: boolean;
  created: Date;
}

/** The fake account's IAM state; tests seed and inspect it directly. */
export interface FakeIamState {
  accountId: string;
  policies: Map<string, { arn: string; versions: FakeVersion[]; next: number }>;
  roles: Map<string, { arn: string; trust: string; attached: Set<string> }>;
  profiles: Map<string, { arn: string; roles: string[] }>;
  /** NoSuchEntity answers still to give per action, to imitate IAM catching up. */
  lag: Map<string, number>;
}

/** A running fake with its state and the actions called, in order. */
export interface FakeIam {
  readonly state: FakeIamState;
  readonly actions: string[];
  readonly client: IAMClient;
  close(): Promise<void>;
}

type Params = URLSearchParams;
type Handler = (state: FakeIamState, params: Params) => ScriptedReply;

const notFound = (what: string) => errorReply(404, 'NoSuchEntity', `The ${what} cannot be found.`);

function policyByArn(state: FakeIamState, arn: string | null) {
  return [...state.policies.values()].find((policy) => policy.arn === arn);
}

const handlers: Record<string, Handler> = {
  CreatePolicy(state, params) {
    const name = params.get('PolicyName') ?? '';
    if (state.policies.has(name)) {
      return errorReply(
        409,
        'EntityAlreadyExists',
        `A policy called ${name} already exists. Duplicate names are not allowed.`,
      );
    }
    const arn = `arn:aws:iam::${state.accountId}:policy/${name}`;
    const version = {
      id: 'v1',
      document: params.get('PolicyDocument') ?? '',
      isDefault: true,
      created: new Date(),
    };
    state.policies.set(name, { arn, versions: [version], next: 2 });
    return okReply('CreatePolicy', `<Policy>${policyXml(name, arn, 'v1')}</Policy>`);
  },
  GetPolicy(state, params) {
    const policy = policyByArn(state, params.get('PolicyArn'));
    if (!policy) return notFound(`policy ${params.get('PolicyArn')}`);
    const current = policy.versions.find((version) => version.isDefault)?.id ?? 'v1';
    return okReply(
      'GetPolicy',
      `<Policy>${policyXml(policy.arn.split('/').pop() ?? '', policy.arn, current)}</Policy>`,
    );
  },
  GetPolicyVersion(state, params) {
    const version = policyByArn(state, params.get('PolicyArn'))?.versions.find(
      (item) => item.id === params.get('VersionId'),
    );
    if (!version) return notFound('policy version');
    return okReply(
      'GetPolicyVersion',
      `<PolicyVersion>${versionXml(version, true)}</PolicyVersion>`,
    );
  },
  ListPolicyVersions(state, params) {
    const policy = policyByArn(state, params.get('PolicyArn'));
    if (!policy) return notFound('policy');
    const versions = policy.versions.map((version) => member(versionXml(version, false))).join('');
    return okReply(
      'ListPolicyVersions',
      `<Versions>${versions}</Versions><IsTruncated>false</IsTruncated>`,
    );
  },
  CreatePolicyVersion(state, params) {
    const policy = policyByArn(state, params.get('PolicyArn'));
    if (!policy) return notFound('policy');
    if (policy.versions.length >= 5) {
      return errorReply(
        409,
        'LimitExceeded',
        'A managed policy can have up to 5 versions. Before you create a new version, you ' +
          'must delete an existing version.',
      );
    }
    const asDefault = params.get('SetAsDefault') === 'true';
    if (asDefault) for (const version of policy.versions) version.isDefault = false;
    const version = {
      id: `v${policy.next++}`,
      document: params.get('PolicyDocument') ?? '',
      isDefault: asDefault,
      created: new Date(),
    };
    policy.versions.push(version);
    return okReply(
      'CreatePolicyVersion',
      `<PolicyVersion>${versionXml(version, false)}</PolicyVersion>`,
    );
  },
  DeletePolicyVersion(state, params) {
    const policy = policyByArn(state, params.get('PolicyArn'));
    const version = policy?.versions.find((item) => item.id === params.get('VersionId'));
    if (!policy || !version) return notFound('policy version');
    if (version.isDefault)
      return errorReply(409, 'DeleteConflict', 'Cannot delete the default version of a policy.');
    policy.versions = policy.versions.filter((item) => item !== version);
    return okReply('DeletePolicyVersion', '');
  },
  CreateRole(state, params) {
    const name = params.get('RoleName') ?? '';
    if (state.roles.has(name))
      return errorReply(409, 'EntityAlreadyExists', `Role with name ${name} already exists.`);
    const role = {
      arn: `arn:aws:iam::${state.accountId}:role/${name}`,
      trust: params.get('AssumeRolePolicyDocument') ?? '',
      attached: new Set<string>(),
    };
    state.roles.set(name, role);
    return okReply('CreateRole', `<Role>${roleXml(name, role)}</Role>`);
  },
  GetRole(state, params) {
    const name = params.get('RoleName') ?? '';
    const role = state.roles.get(name);
    if (!role) return notFound(`role with name ${name}`);
    return okReply('GetRole', `<Role>${roleXml(name, role)}</Role>`);
  },
  UpdateAssumeRolePolicy(state, params) {
    const role = state.roles.get(params.get('RoleName') ?? '');
    if (!role) return notFound('role');
    role.trust = params.get('PolicyDocument') ?? '';
    return okReply('UpdateAssumeRolePolicy', '');
  },
  AttachRolePolicy(state, params) {
    const role = state.roles.get(params.get('RoleName') ?? '');
    if (!role || !policyByArn(state, params.get('PolicyArn'))) return notFound('role or policy');
    role.attached.add(params.get('PolicyArn') ?? '');
    return okReply('AttachRolePolicy', '');
  },
  ListAttachedRolePolicies(state, params) {
    const role = state.roles.get(params.get('RoleName') ?? '');
    if (!role) return notFound('role');
    const items = [...role.attached].map((arn) =>
      member(`<PolicyName>${arn.split('/').pop()}</PolicyName><PolicyArn>${arn}</PolicyArn>`),
    );
    return okReply(
      'ListAttachedRolePolicies',
      `<AttachedPolicies>${items.join('')}</AttachedPolicies><IsTruncated>false</IsTruncated>`,
    );
  },
  ListRolePolicies(state, params) {
    if (!state.roles.has(params.get('RoleName') ?? '')) return notFound('role');
    return okReply(
      'ListRolePolicies',
      '<PolicyNames></PolicyNames><IsTruncated>false</IsTruncated>',
    );
  },
  CreateInstanceProfile(state, params) {
    const name = params.get('InstanceProfileName') ?? '';
    if (state.profiles.has(name))
      return errorReply(409, 'EntityAlreadyExists', `Instance Profile ${name} already exists.`);
    const profile = { arn: `arn:aws:iam::${state.accountId}:instance-profile/${name}`, roles: [] };
    state.profiles.set(name, profile);
    return okReply(
      'CreateInstanceProfile',
      `<InstanceProfile>${profileXml(name, profile, state)}</InstanceProfile>`,
    );
  },
  GetInstanceProfile(state, params) {
    const name = params.get('InstanceProfileName') ?? '';
    const profile = state.profiles.get(name);
    if (!profile) return notFound(`instance profile ${name}`);
    return okReply(
      'GetInstanceProfile',
      `<InstanceProfile>${profileXml(name, profile, state)}</InstanceProfile>`,
    );
  },
  AddRoleToInstanceProfile(state, params) {
    const profile = state.profiles.get(params.get('InstanceProfileName') ?? '');
    const roleName = params.get('RoleName') ?? '';
    if (!profile || !state.roles.has(roleName)) return notFound('instance profile or role');
    if (profile.roles.length > 0)
      return errorReply(
        409,
        'LimitExceeded',
        'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1',
      );
    profile.roles.push(roleName);
    return okReply('AddRoleToInstanceProfile', '');
  },
};

/** Start the fake with an empty account, or the state `seed` builds. */
export async function startFakeIam(
  accountId: string,
  seed: (state: FakeIamState) => void = () => undefined,
): Promise<FakeIam> {
  const state: FakeIamState = {
    accountId,
    policies: new Map(),
    roles: new Map(),
    profiles: new Map(),
    lag: new Map(),
  };
  seed(state);
  const actions: string[] = [];
  const server: ScriptedServer = await startScriptedServer((request) => {
    const params = new URLSearchParams(request.body);
    const action = params.get('Action') ?? '';
    actions.push(action);
    const lag = state.lag.get(action) ?? 0;
    if (lag > 0) {
      state.lag.set(action, lag - 1);
      return notFound('entity (not yet visible)');
    }
    const handler = handlers[action];
    return handler
      ? handler(state, params)
      : errorReply(400, 'InvalidAction', `not faked: ${action}`);
  });
  const client = new IAMClient({
    endpoint: server.url,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });

  return {
    state,
    actions,
    client,
    close: async () => {
      client.destroy();
      await server.close();
    },
  };
}
