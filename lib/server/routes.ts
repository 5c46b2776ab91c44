/**
 * The service's REST/JSON protocol under `/_wmcs` (docs/protocol.md). Paths are matched without
 * regard to case, so the registry values administrators already write
 * (`https://host/_wmcs/Certification`, `.../_wmcs/Licensing`) reach the same routes.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
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
  baseUrl: string;
  now: () => number;
}

interface Request {
  req: IncomingMessage;
  res: ServerResponse;
  params: string[];
  /** The body as a JSON object, read within the route's `maxBodyBytes` (REQUEST_TOO_LARGE past it). */
  body: () => Promise<Record<string, unknown>>;
}

interface CallerRequest extends Request {
  /** The signed-in caller, authenticated from the headers before any byte of the body was read. */
  caller: Account;
}

type Handler = (c: RouteContext, r: Request) => Promise<unknown>;

/**
 * A call of the protocol. A route that needs a caller says so (`caller: true`): the service
 * then answers a request without a valid token with 401 before reading its body, so an
 * unauthenticated client never has a body buffered. `maxBodyBytes` bounds the one body the
 * route reads; a declared Content-Length over it is refused before a byte is read.
 */
type Route = { method: string; pattern: RegExp; maxBodyBytes: number } & (
  | { caller: false; handler: Handler }
  | { caller: true; handler: (c: RouteContext, r: CallerRequest) => Promise<unknown> }
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

const UUID = '([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})';

function requireAdmin(account: Account): Account {
  if (!account.admin) throw new RmsError('ACCESS_DENIED', `${account.email} is not an administrator of this service`);
  return account;
}

function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '') throw invalidArgument(name, 'a non-empty string');
  return value;
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

async function token(c: RouteContext, r: Request): Promise<unknown> {
  const body = await r.body();
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

async function signUp(c: RouteContext, r: Request): Promise<unknown> {
  if (!c.folder.settings.individualSignUp) throw new RmsError('ACCESS_DENIED', 'self-service sign-up is closed on this service');
  const email = normalizeEmail(stringField(await r.body(), 'email'));
  // The outbox names files by address; only plain ASCII addresses get one.
  if (!/^[a-z0-9._%+-]+@[a-z0-9.-]+$/.test(email)) throw invalidArgument('email', 'a plain ASCII email address for sign-up');
  await c.signUpsPerClient.take(clientNetwork(r.req.socket.remoteAddress), 'sign-ups from this address');
  const message = await c.accounts.startSignUp(email);
  // No mail server: the message goes to the outbox, one file per address, for the operator to
  // deliver. An address that may not sign up is told so by mail; the caller sees the same answer.
  const text = message.kind === 'code'
    ? `Subject: your openrms sign-up code\n\nYour code is ${message.code}. It is valid for 15 minutes.\n`
    : 'Subject: your openrms sign-up request\n\nSomeone asked to sign up with this address, which already has an account here: sign in instead. If it was not you, ignore this message.\n';
  writeFileSync(path.join(c.folder.outbox, `${email}.txt`), `To: ${email}\n${text}`, { mode: 0o600 });
  return { sent: true };
}

async function completeSignUp(c: RouteContext, r: Request): Promise<unknown> {
  if (!c.folder.settings.individualSignUp) throw new RmsError('ACCESS_DENIED', 'self-service sign-up is closed on this service');
  const body = await r.body();
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
  const all = new URL(r.req.url ?? '/', 'http://service').searchParams.get('all');
  if (all !== null) {
    if (all !== '1') throw invalidArgument('all', '1');
    requireAdmin(r.caller);
    return { templates: await c.templates.list(true) };
  }
  return { templates: (await c.templates.listFor(r.caller.email)).map((t) => c.templates.sign(t, c.folder.signingKey)) };
}

const ROUTES: Route[] = [
  { method: 'GET', pattern: /^\/_wmcs\/discovery$/, caller: false, maxBodyBytes: 0, handler: async (c) => discovery(c) },
  { method: 'POST', pattern: /^\/_wmcs\/oauth2\/token$/, caller: false, maxBodyBytes: FORM_BODY, handler: token },
  { method: 'POST', pattern: /^\/_wmcs\/individuals\/signup$/, caller: false, maxBodyBytes: FORM_BODY, handler: signUp },
  { method: 'POST', pattern: /^\/_wmcs\/individuals\/verify$/, caller: false, maxBodyBytes: FORM_BODY, handler: completeSignUp },
  {
    method: 'POST', pattern: /^\/_wmcs\/certification$/, caller: true, maxBodyBytes: FORM_BODY,
    handler: async (c, r) => ({ rac: await c.licensing.certify(r.caller, (await r.body()).key as Jwk) }),
  },
  {
    method: 'POST', pattern: /^\/_wmcs\/licensing\/clc$/, caller: true, maxBodyBytes: RAC_BODY,
    handler: async (c, r) => ({ clc: await c.licensing.issueClc(r.caller, (await r.body()).rac) }),
  },
  {
    method: 'POST', pattern: /^\/_wmcs\/licensing\/publish$/, caller: true, maxBodyBytes: LICENSE_BODY,
    handler: async (c, r) => ({ pl: await c.licensing.publish(r.caller, (await r.body()) as unknown as PublishRequest) }),
  },
  {
    method: 'POST', pattern: /^\/_wmcs\/licensing\/eul$/, caller: true, maxBodyBytes: LICENSE_BODY,
    handler: async (c, r) => {
      const body = await r.body();
      return { ul: await c.licensing.issueUseLicense(r.caller, { pl: body.pl, rac: body.rac }) };
    },
  },
  {
    method: 'GET', pattern: /^\/_wmcs\/licensing\/templates$/, caller: true, maxBodyBytes: 0,
    handler: async (c, r) => listTemplates(c, r),
  },
  {
    method: 'POST', pattern: /^\/_wmcs\/licensing\/templates$/, caller: true, maxBodyBytes: TEMPLATE_BODY,
    handler: async (c, r) => {
      const admin = requireAdmin(r.caller);
      const t = await c.templates.create(templateDefinition(await r.body()));
      await c.audit.record({ actor: admin.email, action: 'template-create', outcome: 'done', reason: t.id });
      return { template: t };
    },
  },
  {
    method: 'PUT', pattern: new RegExp(`^/_wmcs/licensing/templates/${UUID}$`), caller: true, maxBodyBytes: TEMPLATE_BODY,
    handler: async (c, r) => {
      const admin = requireAdmin(r.caller);
      const t = await c.templates.update(r.params[0]!, templateDefinition(await r.body()));
      await c.audit.record({ actor: admin.email, action: 'template-update', outcome: 'done', reason: t.id });
      return { template: t };
    },
  },
  {
    method: 'DELETE', pattern: new RegExp(`^/_wmcs/licensing/templates/${UUID}$`), caller: true, maxBodyBytes: 0,
    handler: async (c, r) => {
      const admin = requireAdmin(r.caller);
      const t = await c.templates.archive(r.params[0]!);
      await c.audit.record({ actor: admin.email, action: 'template-archive', outcome: 'done', reason: t.id });
      return { template: t };
    },
  },
  {
    method: 'POST', pattern: /^\/_wmcs\/licensing\/content$/, caller: true, maxBodyBytes: LICENSE_BODY,
    handler: async (c, r) => c.licensing.register(r.caller, (await r.body()).pl),
  },
  {
    method: 'POST', pattern: new RegExp(`^/_wmcs/licensing/content/${UUID}/revoke$`), caller: true, maxBodyBytes: LICENSE_BODY,
    handler: async (c, r) => c.licensing.revoke(r.caller, r.params[0]!, (await r.body()).pl),
  },
  {
    method: 'GET', pattern: new RegExp(`^/_wmcs/licensing/content/${UUID}/audit$`), caller: true, maxBodyBytes: 0,
    handler: async (c, r) => {
      requireAdmin(r.caller);
      return { entries: await c.audit.recent(1000, r.params[0]!) };
    },
  },
];

/** The route for a request, or a NOT_FOUND error (405 is not worth telling apart here). */
export function findRoute(method: string, pathname: string): { route: Route; params: string[] } {
  const lower = pathname.toLowerCase().replace(/\/+$/, '');
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(lower);
    if (match !== null) return { route, params: match.slice(1) };
  }
  throw new RmsError('NOT_FOUND', `no ${method} ${pathname} here`);
}

export type { Request as RouteRequest, Route };
