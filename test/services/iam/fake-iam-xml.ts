/** XML of IAM's query protocol, for the fake IAM: envelopes, errors and entity elements. */
import type { ScriptedReply } from '../../support/scripted-http.js';
import type { FakeIamState, FakeVersion } from './fake-iam.js';

const namespace = 'https://iam.amazonaws.com/doc/2010-05-08/';

/** Escape text for an XML element. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** A successful reply: `<ActionResponse><ActionResult>body</ActionResult>...`. */
export function okReply(action: string, body: string): ScriptedReply {
  return {
    status: 200,
    headers: { 'content-type': 'text/xml' },
    body:
      `<${action}Response xmlns="${namespace}"><${action}Result>${body}</${action}Result>` +
      `<ResponseMetadata><RequestId>fake-1</RequestId></ResponseMetadata></${action}Response>`,
  };
}

/** An IAM error reply, as AWS sends it. */
export function errorReply(status: number, code: string, message: string): ScriptedReply {
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body:
      `<ErrorResponse xmlns="${namespace}"><Error><Type>Sender</Type><Code>${code}</Code>` +
      `<Message>${escapeXml(message)}</Message></Error>` +
      '<RequestId>fake-1</RequestId></ErrorResponse>',
  };
}

/** One list member. */
export function member(inner: string): string {
  return `<member>${inner}</member>`;
}

/** A Policy element's children. */
export function policyXml(name: string, arn: string, defaultVersionId: string): string {
  return (
    `<PolicyName>${name}</PolicyName><PolicyId>ANPAFAKE${name.length}</PolicyId><Arn>${arn}</Arn>` +
    `<Path>/</Path><DefaultVersionId>${defaultVersionId}</DefaultVersionId>` +
    '<AttachmentCount>1</AttachmentCount><IsAttachable>true</IsAttachable>' +
    '<CreateDate>2024-01-02T00:00:00Z</CreateDate><UpdateDate>2024-05-01T00:00:00Z</UpdateDate>'
  );
}

/** A PolicyVersion element's children; the document URL-encoded, as the API reference says. */
export function versionXml(version: FakeVersion, withDocument: boolean): string {
  const document = withDocument
    ? `<Document>${escapeXml(encodeURIComponent(version.document))}</Document>`
    : '';

  return (
    `${document}<VersionId>${version.id}</VersionId>` +
    `<IsDefaultVersion>${version.isDefault}</IsDefaultVersion>` +
    `<CreateDate>${version.created.toISOString()}</CreateDate>`
  );
}

/** A Role element's children. */
export function roleXml(name: string, role: { arn: string; trust: string }): string {
  return (
    `<Path>/</Path><RoleName>${name}</RoleName><RoleId>AROAFAKE</RoleId><Arn>${role.arn}</Arn>` +
    '<CreateDate>2024-01-02T00:00:00Z</CreateDate>' +
    `<AssumeRolePolicyDocument>${escapeXml(encodeURIComponent(role.trust))}` +
    '</AssumeRolePolicyDocument>'
  );
}

/** An InstanceProfile element's children, with its roles. */
export function profileXml(
  name: string,
  profile: { arn: string; roles: string[] },
  state: FakeIamState,
): string {
  const roles = profile.roles.map((roleName) => {
    const role = state.roles.get(roleName);
    return member(roleXml(roleName, role ?? { arn: '', trust: '{}' }));
  });

  return (
    `<Path>/</Path><InstanceProfileName>${name}</InstanceProfileName>` +
    `<InstanceProfileId>AIPAFAKE</InstanceProfileId><Arn>${profile.arn}</Arn>` +
    `<CreateDate>2024-01-02T00:00:00Z</CreateDate><Roles>${roles.join('')}</Roles>`
  );
}
