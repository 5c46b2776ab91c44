/**
 * The service's HTTP layer on Fastify (lib/server/http-server.ts): bodies refused by their
 * route's schema, the health endpoints (readiness with the database down, on a real PostgreSQL
 * server stopped under the service), and /metrics in the Prometheus text format.
 */
import { RmsClient } from '../../lib';
import { startService } from '../../lib/server';
import { internals } from '../support/client-internals';
import { PostgresServer, startPostgres } from '../support/postgres';
import { startTestService, TestService } from '../support/licensing-service';

interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
  headers: Headers;
}

async function post(url: string, body: unknown, token?: string): Promise<ErrorAnswer> {
  const response = await fetch(url, {
    method: 'POST', body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
  });
  const answer = (await response.json()) as { error?: { code: string; message: string } };
  return { status: response.status, code: answer.error?.code ?? 'NO_ERROR', message: answer.error?.message ?? '', headers: response.headers };
}

describe('a service on SQLite', () => {
  let t: TestService;
  let alice: RmsClient;
  let bob: RmsClient;
  let bobToken: string;
  let adminToken: string;

  beforeAll(async () => {
    t = await startTestService();
    await t.addUser('alice@contoso.com');
    await t.addUser('bob@contoso.com');
    await t.addUser('admin@contoso.com', { admin: true });
    alice = await t.signIn('alice@contoso.com');
    bob = await t.signIn('bob@contoso.com');
    const admin = await t.signIn('admin@contoso.com');
    bobToken = internals(bob).account.token!.accessToken;
    adminToken = internals(admin).account.token!.accessToken;
    admin.close();
  }, 60_000);

  afterAll(async () => {
    alice?.close();
    bob?.close();
    await t?.cleanup();
  });

  describe('bodies checked against their route\'s schema', () => {
    it('refuses a use-license request whose PL is not a string as INVALID_ARGUMENT naming pl, before its RAC is looked at, and audits the refusal', async () => {
      const refused = await post(`${t.service.url}/_wmcs/licensing/eul`, { pl: 5, rac: 'not a RAC' }, bobToken);
      expect(refused).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT', message: 'pl must be a publishing license' });
      const entry = (await t.service.audit.recent(5)).find((e) => e.actor === 'bob@contoso.com' && e.action === 'use-license');
      expect(entry).toMatchObject({ outcome: 'refused', reason: 'INVALID_ARGUMENT', cid: null });
    });

    it('names a missing field and what it should be', async () => {
      expect(await post(`${t.service.url}/_wmcs/licensing/eul`, { rac: 'x' }, bobToken))
        .toMatchObject({ status: 400, code: 'INVALID_ARGUMENT', message: 'pl must be a publishing license' });
      expect(await post(`${t.service.url}/_wmcs/oauth2/token`, { username: 'bob@contoso.com' }))
        .toMatchObject({ status: 400, code: 'INVALID_ARGUMENT', message: "grant_type must be 'password', 'client_credentials' or 'refresh_token'" });
    });

    it('refuses a value of the wrong JSON type rather than converting it', async () => {
      // A number where the publishing request wants a boolean: refused, not read as true.
      const refused = await post(`${t.service.url}/_wmcs/licensing/publish`, { rac: 'r', contentId: '0b6a8a52-2f7e-4a5e-9d7c-2f1f0c1d9e11', wrappedKey: 'k', autoGrantOwner: 1 }, bobToken);
      expect(refused).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT', message: 'autoGrantOwner must be true or false' });
    });

    it('refuses a content ID that is not a UUID before anything takes it in: a megabyte of it reaches no audit record', async () => {
      const huge = 'A'.repeat(1_000_000);
      const refused = await post(`${t.service.url}/_wmcs/licensing/publish`, { rac: 'r', contentId: huge, wrappedKey: 'k' }, bobToken);
      expect(refused).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT', message: 'contentId must be a lower-case UUID' });
      const recorded = await t.service.audit.query({ limit: 1000 });
      expect(JSON.stringify(recorded).includes(huge.slice(0, 1000))).toBe(false);
    });

    it('names a template field as template.<field>, inside arrays too, and refuses fields a template does not have', async () => {
      const base = { name: 'Confidential', grants: [{ who: 'ANYONE', rights: ['VIEW'] }] };
      const url = `${t.service.url}/_wmcs/licensing/templates`;
      expect(await post(url, { ...base, colour: 'red' }, adminToken)).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^template\.colour must be absent/) });
      expect(await post(url, { ...base, audience: ['a@contoso.com', 7] }, adminToken)).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^template\.audience\[1\] must be /) });
      expect(await post(url, { ...base, offlineDays: '30' }, adminToken)).toMatchObject({ code: 'INVALID_ARGUMENT', message: 'template.offlineDays must be an integer number of days' });
    });

    it('asks for the caller before the body: a bad body from a caller without a token is 401, from a non-administrator 403', async () => {
      const unauthenticated = await post(`${t.service.url}/_wmcs/licensing/templates`, { colour: 'red' });
      expect(unauthenticated.status).toBe(401);
      expect(unauthenticated.headers.get('www-authenticate')).toMatch(/^Bearer authorization_uri=/);
      expect(await post(`${t.service.url}/_wmcs/licensing/templates`, { colour: 'red' }, bobToken)).toMatchObject({ status: 403, code: 'ACCESS_DENIED' });
    });
  });

  describe('health', () => {
    it('answers live and ready, whatever the case of the path', async () => {
      const live = await fetch(`${t.service.url}/_wmcs/health/live`);
      expect([live.status, await live.json()]).toEqual([200, { status: 'live' }]);
      const ready = await fetch(`${t.service.url}/_WMCS/Health/Ready`);
      expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready', database: 'sqlite' }]);
    });
  });

  describe('/metrics', () => {
    it('counts requests by route and status, use licenses issued and refused by reason, latencies and the database connection', async () => {
      const license = await alice.serializeLicense(alice.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }] }));
      try {
        (await bob.getContentKey(license.publishingLicense)).close();
        const notForAdmin = await post(`${t.service.url}/_wmcs/licensing/eul`, { pl: license.publishingLicense, rac: internals(bob).account.rac }, adminToken);
        expect(notForAdmin.code).toBe('ACCESS_DENIED');
      } finally {
        license.contentKey.close();
      }
      expect((await fetch(`${t.service.url}/_wmcs/nothing`)).status).toBe(404);
      const response = await fetch(`${t.service.url}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await response.text();
      expect(text).toContain('openrms_licenses_total{license="use",outcome="issued",reason=""} 1');
      expect(text).toContain('openrms_licenses_total{license="use",outcome="refused",reason="ACCESS_DENIED"} 1');
      expect(text).toContain('openrms_licenses_total{license="use",outcome="refused",reason="INVALID_ARGUMENT"}');
      expect(text).toMatch(/^openrms_http_requests_total\{route="\/_wmcs\/licensing\/eul",method="POST",status="200"\} 1$/m);
      expect(text).toMatch(/^openrms_http_requests_total\{route="\/_wmcs\/licensing\/eul",method="POST",status="403"\} 1$/m);
      expect(text).toMatch(/^openrms_http_requests_total\{route="unmatched",method="GET",status="404"\} \d+$/m);
      expect(text).toMatch(/^openrms_http_request_duration_seconds_count\{route="\/_wmcs\/licensing\/eul",method="POST"\} \d+$/m);
      expect(text).toMatch(/^openrms_http_request_duration_seconds_bucket\{le="0\.1",route="\/_wmcs\/licensing\/eul",method="POST"\} \d+$/m);
      expect(text).toContain('openrms_database_connections{state="open"} 1');
      expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    });

    it('is not served at all with metricsAccess "nobody"', async () => {
      const service = await startService({ dataDir: `${t.root}/no-metrics`, port: 0, log: () => {}, metricsAccess: 'nobody' });
      try {
        const response = await fetch(`${service.url}/metrics`);
        expect(response.status).toBe(404);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
      } finally {
        await service.close();
      }
    });
  });
});

describe('a service on PostgreSQL', () => {
  let postgres: PostgresServer;
  let t: TestService;

  beforeAll(async () => {
    postgres = await startPostgres();
    t = await startTestService({ db: await postgres.createDatabase() });
  }, 60_000);

  afterAll(async () => {
    await t?.cleanup();
    await postgres?.stop().catch(() => {});
  });

  it('is ready while its database answers, and answers 503 SERVICE_UNAVAILABLE with Retry-After once the database is down, while still live', async () => {
    const ready = await fetch(`${t.service.url}/_wmcs/health/ready`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready', database: 'postgres' }]);
    const connections = await (await fetch(`${t.service.url}/metrics`)).text();
    expect(connections).toMatch(/^openrms_database_connections\{state="open"\} [1-9]\d*$/m);

    await postgres.stop();
    const down = await fetch(`${t.service.url}/_wmcs/health/ready`);
    expect(down.status).toBe(503);
    expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
    const answer = (await down.json()) as { error: { code: string; message: string } };
    expect(answer.error.code).toBe('SERVICE_UNAVAILABLE');
    // Anyone may ask: nothing of where the database is (the driver's ECONNREFUSED 127.0.0.1:port).
    expect(answer.error.message).toBe('the postgres database does not answer');
    expect((await fetch(`${t.service.url}/_wmcs/health/live`)).status).toBe(200);
  }, 60_000);
});
