/**
 * The JSON schemas of the protocol's bodies and answers (docs/protocol.md, "Calls"). Fastify
 * checks each body against its route's schema before the handler runs, and writes each 200
 * answer through its schema (fast-json-stringify: a field the schema does not name is not sent,
 * so an answer cannot leak what a handler left in an object). A body the schema refuses is
 * INVALID_ARGUMENT naming the field, and what it should be: each property's `description`.
 *
 * The schemas check the shape (types, required fields); what a value means (a JWS that verifies,
 * a UUID, a right's name) is still checked by the code that uses it, with its own error codes.
 */

/** A JSON schema, as Fastify's ajv takes it. */
export type Schema = Record<string, unknown>;

const text = (description: string): Schema => ({ type: 'string', description });
const nonEmpty = (description: string): Schema => ({ type: 'string', minLength: 1, description });

function object(properties: Record<string, Schema>, required: string[] = [], more: Schema = {}): Schema {
  return { type: 'object', properties, required, ...more };
}

/** An answer: exactly these fields. */
function answer(properties: Record<string, Schema>, required = Object.keys(properties)): Schema {
  return { type: 'object', properties, required, additionalProperties: false };
}

/** Text per language (BCP 47 tag to text). */
const localized = (description: string): Schema => ({ type: 'object', additionalProperties: { type: 'string' }, description });

const TEMPLATE_FIELDS: Record<string, Schema> = {
  name: nonEmpty('a name of 1 to 200 characters'),
  description: text('text'),
  names: localized('names per language: {"fr": "..."}'),
  descriptions: localized('descriptions per language: {"fr": "..."}'),
  grants: { type: 'array', items: { type: 'object', additionalProperties: true }, description: 'an array of grants {who, rights}' },
  contentValidDays: { type: ['integer', 'null'], description: 'a positive number of days, or null' },
  offlineDays: { type: 'integer', description: 'an integer number of days' },
  audience: { type: 'array', items: { type: 'string' }, description: 'an array of addresses and @domains' },
};

/** A template's record, as administrators read it (its fields are checked in templates.ts). */
const TEMPLATE_RECORD: Schema = {
  type: 'object',
  properties: {
    ...TEMPLATE_FIELDS,
    id: { type: 'string' }, archived: { type: 'boolean' }, archivedAt: { type: ['integer', 'null'] }, updatedAt: { type: 'integer' },
  },
};

export const SCHEMAS = {
  discovery: {
    response: answer({
      protocol: { type: 'integer' }, name: { type: 'string' }, slc: { type: 'string' }, certification: { type: 'string' },
      licensing: answer({ intranet: { type: 'string' }, extranet: { type: 'string' } }),
      authorization: answer({ authority: { type: 'string' }, token: { type: 'string' }, resource: { type: 'string' } }),
      individualSignUp: { type: 'boolean' },
    }),
  },
  token: {
    body: object({
      grant_type: { type: 'string', enum: ['password', 'client_credentials', 'refresh_token'], description: "'password', 'client_credentials' or 'refresh_token'" },
      username: nonEmpty('a non-empty string'), password: nonEmpty('a non-empty string'),
      client_id: nonEmpty('a non-empty string'), client_secret: nonEmpty('a non-empty string'),
      refresh_token: nonEmpty('a non-empty string'),
    }, ['grant_type']),
    response: answer({
      access_token: { type: 'string' }, token_type: { type: 'string' }, expires_in: { type: 'integer' },
      identity: { type: 'string' }, identity_kind: { type: 'string' }, refresh_token: { type: 'string' },
    }, ['access_token', 'token_type', 'expires_in', 'identity', 'identity_kind']),
  },
  signUp: {
    body: object({ email: nonEmpty('a non-empty string') }, ['email']),
    response: answer({ sent: { type: 'boolean' } }),
  },
  completeSignUp: {
    body: object({ email: nonEmpty('a non-empty string'), code: nonEmpty('a non-empty string'), password: nonEmpty('a non-empty string') },
      ['email', 'code', 'password']),
    response: answer({ identity: { type: 'string' }, identity_kind: { type: 'string' } }),
  },
  certify: {
    body: object({ key: { type: 'object', description: 'a public JWK: RSA of 2048 bits or more, or EC P-256' } }, ['key']),
    response: answer({ rac: { type: 'string' } }),
  },
  clc: {
    body: object({ rac: text("the caller's rights account certificate") }, ['rac']),
    response: answer({ clc: { type: 'string' } }),
  },
  publish: {
    body: object({
      rac: text("the caller's rights account certificate"),
      // Checked here, before anything (the audit log included) takes it in.
      contentId: { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', description: 'a lower-case UUID' },
      wrappedKey: text('the content key wrapped to the SLC key'),
      template: text("a template's ID or name"),
      policy: { type: 'object', description: 'a policy' },
      autoGrantOwner: { type: 'boolean', description: 'true or false' },
      descriptors: { type: 'array', items: { type: 'object' }, description: 'an array of {lang, name, description}' },
      signedData: { type: 'object', additionalProperties: { type: 'string' }, description: 'an object of strings' },
      encryptedData: { type: 'object', additionalProperties: { type: 'string' }, description: 'an object of strings' },
      referralUrl: { type: ['string', 'null'], description: 'a URL, or null' },
    }, ['rac', 'contentId', 'wrappedKey']),
    response: answer({ pl: { type: 'string' } }),
  },
  useLicense: {
    body: object({ pl: text('a publishing license'), rac: text("the caller's rights account certificate") }, ['pl', 'rac']),
    response: answer({ ul: { type: 'string' } }),
  },
  listTemplates: {
    querystring: object({ all: { type: 'string', description: '1' } }),
    // Signed templates (JWS) for users, or records for administrators (?all=1).
    response: answer({ templates: { type: 'array', items: { anyOf: [{ type: 'string' }, TEMPLATE_RECORD] } } }),
  },
  createTemplate: {
    body: object(TEMPLATE_FIELDS, ['name', 'grants'], { additionalProperties: false }),
    response: answer({ template: TEMPLATE_RECORD }),
  },
  updateTemplate: {
    body: object(TEMPLATE_FIELDS, [], { additionalProperties: false }),
    response: answer({ template: TEMPLATE_RECORD }),
  },
  archiveTemplate: {
    response: answer({ template: TEMPLATE_RECORD }),
  },
  register: {
    body: object({ pl: text('a publishing license') }, ['pl']),
    response: answer({ cid: { type: 'string' }, owner: { type: 'string' } }),
  },
  revoke: {
    body: object({ pl: text('a publishing license') }),
    response: answer({ cid: { type: 'string' }, revokedAt: { type: 'integer' } }),
  },
  contentAudit: {
    response: answer({
      entries: {
        type: 'array',
        items: answer({
          id: { type: 'integer' }, at: { type: 'integer' }, actor: { type: 'string' }, action: { type: 'string' },
          cid: { type: ['string', 'null'] }, rights: { type: ['array', 'null'], items: { type: 'string' } },
          outcome: { type: 'string' }, reason: { type: ['string', 'null'] },
        }),
      },
    }),
  },
  health: {
    response: answer({ status: { type: 'string' }, database: { type: 'string' } }, ['status']),
  },
} satisfies Record<string, { body?: Schema; querystring?: Schema; response?: Schema }>;
