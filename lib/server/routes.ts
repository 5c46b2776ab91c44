/**
 * The service's REST/JSON protocol under `/_wmcs` (docs/protocol.md): each call's path, limits,
 * schemas and handler. http-server.ts serves them through Fastify, matching paths without regard
 * to case, so the registry values administrators already write
 * (`https://host/_wmcs/Certification`, `.../_wmcs/Licensing`) reach the same routes.
 */
import { IncomingMessage } from 'node:http';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { Jwk } from '../crypto/asymmetric-key';
import { invalidArgument, RmsError } from '../errors';
import { normalizeEmail } from '../license/certificates';
import { MAX_JWS_LENGTH } from '../license/jws';
import { Account, Accounts } from './accounts';
import { AccessTokens } from './access-tokens';
import { AuditLog } from './audit-log';
import { DataFolder } from './data-folder';
import { Licensing, PublishRequest } from './licensing';
import { clientNetwork } from './client-network';
import { RateWindow } from './rate-window';
import { Schema, SCHEMAS } from './route-schemas';
import { ServiceMetrics } from './service-metrics';
import { SignInGuard } from './sign-in-guard';
import { TemplateDefinition, Templates } from './templates';

export const PROTOCOL_VERSION = 1;
/** Sign-up requests one client address may make per hour, whatever addresses they name. */
export const SIGNUPS_PER_CLIENT = 10;

export interface RouteContext {
  folder: DataFolder;
  accounts: Accounts;
  tokens: AccessTokens;
  licensing: Licensing;
  templates: Templates;
  audit: AuditLog;
  signInGuard: SignInGuard;
  /** Sign-up requests per client address (SIGNUPS_PER_CLIENT an hour). */
  signUpsPerClient: RateWindow;
  metrics: ServiceMetrics;
  /** A round trip to the database; throws when it fails. */
  ping: () => Promise<void>;
  /** `sqlite` or `postgres`, for the readiness answer. */
  database: string;
  closing: () => boolean;
  baseUrl: string;
  now: () => number;
}

export interface RouteRequest {
  raw: IncomingMessage;
  /** The path's parameters, in lower case (paths are matched without regard to case). */
  params: Record<string, string>;
  query: Record<string, unknown>;
  /** The body, parsed and checked against the route's schema. */
  body: Record<string, unknown>;
}

export interface CallerRequest extends RouteRequest {
  /** The signed-in caller, authenticated from the headers before any byte of the body was read. */
  caller: Account;
}

type Handler = (c: RouteContext, r: RouteRequest) => Promise<unknown>;

/**
 * A call of the protocol, as http-server.ts registers it with Fastify. A route that needs a
 * caller says so (`caller: true`, or `admin: true` for administrators only): the service then
 * answers a request without a valid token (or a caller who is no administrator) before reading
 * its body, so an unauthenticated client never has a body buffered. `maxBodyBytes` bounds the
 * one body the route reads; a declared Content-Length over it is refused before a byte is read.
 * `timeoutMs` bounds the time from routing to the answer (503 SERVICE_UNAVAILABLE past it).
 * `audited` names the audit action under which a body the schema refuses is recorded, for the
 * calls whose every refusal is audited.
 */
export type Route = {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  maxBodyBytes: number;
  timeoutMs: number;
  schema: { body?: Schema; querystring?: Schema; response?: Schema };
  /** Prefixed to a field's name in INVALID_ARGUMENT (`template.grants`). */
  argumentPrefix?: string;
  audited?: 'publish' | 'use-license';
  /** Checked before the body is read (a closed sign-up refuses without reading one). */
  admit?: (c: RouteContext) => void;
} & (
  | { caller: false; handler: Handler }
  | { caller: true; admin?: boolean; handler: (c: RouteContext, r: CallerRequest) => Promise<unknown> }
);

/** Credentials, a sign-up, a public JWK: small forms. */
const FORM_BODY = 16 * 1024;
/**
 * A template definition with names and descriptions in many languages and an audience. Every
 * template's signed form goes into each list answer, which a client reads up to 8 MiB: at this
 * size a hundred templates fit.
 */
const TEMPLATE_BODY = 64 * 1024;
/** A RAC this service issued, for a key that fit in FORM_BODY, with room for its JSON. */
const RAC_BODY = 64 * 1024;
/**
 * A PL and a RAC. A typical PL is 4 KiB, but one carrying many grants, descriptors or app data
 * is valid up to the JWS cap (MAX_JWS_LENGTH, 1 MiB), and publishing sends that data in the
 * request. Nothing larger could be a valid PL, so nothing larger is read.
 */
const LICENSE_BODY = MAX_JWS_LENGTH + RAC_BODY;

/** Time from routing to the answer: forms wait for a sign-in's hash, licenses for a signature and the database (PostgreSQL connects within 10 s). */
const FORM_TIMEOUT_MS = 20_000;
const LICENSE_TIMEOUT_MS = 30_000;
/** Discovery, health and metrics answer from memory or with one query: a load balancer's probe gives up sooner than this. */
const QUICK_TIMEOUT_MS = 5_000;

/** A path parameter matching a UUID, in either case (the path is matched without regard to case). */
const UUID = '([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})';

function requireAdmin(account: Account): Account {
  if (!account.admin) throw new RmsError('ACCESS_DENIED', `${account.email} is not an administrator of this service`);
  return account;
}

function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '') throw invalidArgument(name, 'a non-empty string');
  return value;
}

function signUpOpen(c: RouteContext): void {
  if (!c.folder.settings.individualSignUp) throw new RmsError('ACCESS_DENIED', 'self-service sign-up is closed on this service');
}

/** The discovery document: what a client needs to trust and use this service. */
function discovery(c: RouteContext): unknown {
  const base = c.baseUrl;
  return {
    protocol: PROTOCOL_VERSION,
    name: c.folder.settings.name,
    slc: c.licensing.slc.token,
    certification: `${base}/_wmcs/certification`,
    licensing: c.licensing.urls,
    authorization: { authority: `${base}/_wmcs/oauth2`, token: `${base}/_wmcs/oauth2/token`, resource: base },
    individualSignUp: c.folder.settings.individualSignUp,
  };
}

async function token(c: RouteContext, r: RouteRequest): Promise<unknown> {
  const body = r.body;
  let account: Account;
  const grant = body.grant_type;
  if (grant === 'password') {
    const username = stringField(body, 'username');
    const password = stringField(body, 'password');
    account = await c.signInGuard.run(username, () => c.accounts.signIn(username, password));
  } else if (grant === 'client_credentials') {
    account = await c.accounts.signInServicePrincipal(stringField(body, 'client_id'), stringField(body, 'client_secret'));
  } else if (grant === 'refresh_token') {
    account = await c.accounts.redeemRefreshToken(stringField(body, 'refresh_token'));
  } else {
    throw invalidArgument('grant_type', "'password', 'client_credentials' or 'refresh_token'");
  }
  const lifetime = c.folder.settings.accessTokenSeconds;
  const answer: Record<string, unknown> = {
    access_token: await c.tokens.issue(account.email, lifetime, c.now()), token_type: 'Bearer', expires_in: lifetime,
    identity: account.email, identity_kind: account.kind,
  };
  // Service principals hold their secret; people get a refresh token instead of keeping a password.
  if (grant !== 'client_credentials') answer.refresh_token = await c.accounts.issueRefreshToken(account.email);
  return answer;
}

async function signUp(c: RouteContext, r: RouteRequest): Promise<unknown> {
  const email = normalizeEmail(stringField(r.body, 'email'));
  // The outbox names files by address; only plain ASCII addresses get one.
  if (!/^[a-z0-9._%+-]+@[a-z0-9.-]+$/.test(email)) throw invalidArgument('email', 'a plain ASCII email address for sign-up');
  await c.signUpsPerClient.take(clientNetwork(r.raw.socket.remoteAddress), 'sign-ups from this address');
  const message = await c.accounts.startSignUp(email);
  // No mail server: the message goes to the outbox, one file per address, for the operator to
  // deliver. An address that may not sign up is told so by mail; the caller sees the same answer.
  const text = message.kind === 'code'
    ? `Subject: your openrms sign-up code\n\nYour code is ${message.code}. It is valid for 15 minutes.\n`
    : 'Subject: your openrms sign-up request\n\nSomeone asked to sign up with this address, which already has an account here: sign in instead. If it was not you, ignore this message.\n';
  writeFileSync(path.join(c.folder.outbox, `${email}.txt`), `To: ${email}\n${text}`, { mode: 0o600 });
  return { sent: true };
}

async function completeSignUp(c: RouteContext, r: RouteRequest): Promise<unknown> {
  const body = r.body;
  const account = await c.accounts.completeSignUp(stringField(body, 'email'), stringField(body, 'code'), stringField(body, 'password'));
  return { identity: account.email, identity_kind: account.kind };
}

function templateDefinition(body: Record<string, unknown>): TemplateDefinition {
  return body as unknown as TemplateDefinition;
}

/**
 * The templates the caller may protect with, each signed, in every language; with `?all=1`
 * (administrators only) every template's record, archived ones too.
 */
async function listTemplates(c: RouteContext, r: CallerRequest): Promise<unknown> {
  const all = r.query.all;
  if (all !== undefined) {
    if (all !== '1') throw invalidArgument('all', '1');
    requireAdmin(r.caller);
    return { templates: await c.templates.list(true) };
  }
  return { templates: (await c.templates.listFor(r.caller.email)).map((t) => c.templates.sign(t, c.folder.signingKey)) };
}

export const ROUTES: Route[] = [
  {
    method: 'GET', url: '/_wmcs/discovery', caller: false, maxBodyBytes: 0, timeoutMs: QUICK_TIMEOUT_MS, schema: SCHEMAS.discovery,
    handler: async (c) => discovery(c),
  },
  { method: 'POST', url: '/_wmcs/oauth2/token', caller: false, maxBodyBytes: FORM_BODY, timeoutMs: FORM_TIMEOUT_MS, schema: SCHEMAS.token, handler: token },
  {
    method: 'POST', url: '/_wmcs/individuals/signup', caller: false, maxBodyBytes: FORM_BODY, timeoutMs: FORM_TIMEOUT_MS, schema: SCHEMAS.signUp,
    admit: signUpOpen, handler: signUp,
  },
  {
    method: 'POST', url: '/_wmcs/individuals/verify', caller: false, maxBodyBytes: FORM_BODY, timeoutMs: FORM_TIMEOUT_MS,
    schema: SCHEMAS.completeSignUp, admit: signUpOpen, handler: completeSignUp,
  },
  {
    method: 'POST', url: '/_wmcs/certification', caller: true, maxBodyBytes: FORM_BODY, timeoutMs: LICENSE_TIMEOUT_MS, schema: SCHEMAS.certify,
    handler: async (c, r) => ({ rac: await c.metrics.license('rac', c.licensing.certify(r.caller, r.body.key as Jwk)) }),
  },
  {
    method: 'POST', url: '/_wmcs/licensing/clc', caller: true, maxBodyBytes: RAC_BODY, timeoutMs: LICENSE_TIMEOUT_MS, schema: SCHEMAS.clc,
    handler: async (c, r) => ({ clc: await c.metrics.license('clc', c.licensing.issueClc(r.caller, r.body.rac)) }),
  },
  {
    method: 'POST', url: '/_wmcs/licensing/publish', caller: true, maxBodyBytes: LICENSE_BODY, timeoutMs: LICENSE_TIMEOUT_MS,
    schema: SCHEMAS.publish, audited: 'publish',
    handler: async (c, r) => ({ pl: await c.metrics.license('publishing', c.licensing.publish(r.caller, r.body as unknown as PublishRequest)) }),
  },
  {
    method: 'POST', url: '/_wmcs/licensing/eul', caller: true, maxBodyBytes: LICENSE_BODY, timeoutMs: LICENSE_TIMEOUT_MS,
    schema: SCHEMAS.useLicense, audited: 'use-license',
    handler: async (c, r) => ({ ul: await c.metrics.license('use', c.licensing.issueUseLicense(r.caller, { pl: r.body.pl, rac: r.body.rac })) }),
  },
  {
    method: 'GET', url: '/_wmcs/licensing/templates', caller: true, maxBodyBytes: 0, timeoutMs: LICENSE_TIMEOUT_MS, schema: SCHEMAS.listTemplates,
    handler: listTemplates,
  },
  {
    method: 'POST', url: '/_wmcs/licensing/templates', caller: true, admin: true, maxBodyBytes: TEMPLATE_BODY, timeoutMs: LICENSE_TIMEOUT_MS,
    schema: SCHEMAS.createTemplate, argumentPrefix: 'template.',
    handler: async (c, r) => {
      const t = await c.templates.create(templateDefinition(r.body));
      await c.audit.record({ actor: r.caller.email, action: 'template-create', outcome: 'done', reason: t.id });
      return { template: t };
    },
  },
  {
    method: 'PUT', url: `/_wmcs/licensing/templates/:id${UUID}`, caller: true, admin: true, maxBodyBytes: TEMPLATE_BODY, timeoutMs: LICENSE_TIMEOUT_MS,
    schema: SCHEMAS.updateTemplate, argumentPrefix: 'template.',
    handler: async (c, r) => {
      const t = await c.templates.update(r.params.id!, templateDefinition(r.body));
      await c.audit.record({ actor: r.caller.email, action: 'template-update', outcome: 'done', reason: t.id });
      return { template: t };
    },
  },
  {
    method: 'DELETE', url: `/_wmcs/licensing/templates/:id${UUID}`, caller: true, admin: true, maxBodyBytes: 0, timeoutMs: LICENSE_TIMEOUT_MS,
    schema: SCHEMAS.archiveTemplate,
    handler: async (c, r) => {
      const t = await c.templates.archive(r.params.id!);
      await c.audit.record({ actor: r.caller.email, action: 'template-archive', outcome: 'done', reason: t.id });
      return { template: t };
    },
  },
  {
    method: 'POST', url: '/_wmcs/licensing/content', caller: true, maxBodyBytes: LICENSE_BODY, timeoutMs: LICENSE_TIMEOUT_MS, schema: SCHEMAS.register,
    handler: async (c, r) => c.licensing.register(r.caller, r.body.pl),
  },
  {
    method: 'POST', url: `/_wmcs/licensing/content/:cid${UUID}/revoke`, caller: true, maxBodyBytes: LICENSE_BODY, timeoutMs: LICENSE_TIMEOUT_MS,
    schema: SCHEMAS.revoke,
    handler: async (c, r) => c.licensing.revoke(r.caller, r.params.cid!, r.body.pl),
  },
  {
    method: 'GET', url: `/_wmcs/licensing/content/:cid${UUID}/audit`, caller: true, admin: true, maxBodyBytes: 0, timeoutMs: LICENSE_TIMEOUT_MS,
    schema: SCHEMAS.contentAudit,
    handler: async (c, r) => ({ entries: await c.audit.recent(1000, r.params.cid!) }),
  },
  {
    method: 'GET', url: '/_wmcs/health/live', caller: false, maxBodyBytes: 0, timeoutMs: QUICK_TIMEOUT_MS, schema: SCHEMAS.health,
    handler: async () => ({ status: 'live' }),
  },
  {
    // Ready while the database answers and the service is not closing: a load balancer sends
    // requests only to instances that can serve them, and stops before one shuts down.
    method: 'GET', url: '/_wmcs/health/ready', caller: false, maxBodyBytes: 0, timeoutMs: QUICK_TIMEOUT_MS, schema: SCHEMAS.health,
    handler: async (c) => {
      if (c.closing()) throw new RmsError('SERVICE_UNAVAILABLE', 'the service is shutting down');
      try {
        await c.ping();
      } catch (cause) {
        // Anyone may ask: the answer says nothing of where the database is or who connects to it
        // (the driver's message would); the cause goes to the log.
        throw new RmsError('SERVICE_UNAVAILABLE', `the ${c.database} database does not answer`, { cause });
      }
      return { status: 'ready', database: c.database };
    },
  },
];
