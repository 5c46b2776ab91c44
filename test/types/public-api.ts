/**
 * The public .d.ts of `openrms`, compiled as an application compiles against it:
 * test/package/types.test.ts installs the packed package in an empty folder and type-checks this
 * file there as CommonJS and as ESM under node10, node16, nodenext and bundler resolution, with
 * no @types/better-sqlite3 installed. It is never run. Each `@ts-expect-error` line must be an
 * error, or the check fails: those names are not part of the client's API.
 * (tsconfig.json leaves this folder out: 'openrms' resolves only in that installed folder.)
 */
import * as openrms from 'openrms';
import {
  aesGcm, ContentLicense, isRmsError, nativeInfo, passwordTokenProvider, Proxies, RmsClient, RmsError, SecretKey, ServiceAllowList,
  StoreNotSecureError, VERSION,
} from 'openrms';
import type {
  LicenseDescriptor, RmsClientOptions, RmsErrorCode, SerializedLicense, TokenProvider, TokenRequest, TrustPolicy,
} from 'openrms';

export async function protectAndOpen(serviceUrl: string, password: string, records: Buffer[]): Promise<boolean> {
  const tokenProvider: TokenProvider = passwordTokenProvider('alice@contoso.com', password);
  const trustPolicy: TrustPolicy = new ServiceAllowList([serviceUrl]);
  const options: RmsClientOptions = { store: 'alice', trustPolicy, proxy: Proxies.DIRECT };
  const alice: RmsClient = await RmsClient.signIn({ ...options, serviceUrl, tokenProvider });
  const license: LicenseDescriptor = alice.createLicense({ grants: [{ who: 'bob@contoso.com', rights: ['VIEW'] }], offlineDays: 7 });
  const serialized: SerializedLicense = await alice.serializeLicense(license);
  const contentKey: SecretKey = serialized.contentKey;
  const sealed: Uint8Array = aesGcm.encryptBatch(contentKey, records).output;
  const file: Buffer = await alice.protectBuffer(sealed, serialized);
  const opened = await alice.unprotectBuffer(file);
  const held: ContentLicense = opened.license;
  const plaintext: Buffer = opened.plaintext;
  // @ts-expect-error accessCheck takes a right, not a list of them
  held.accessCheck(['VIEW']);
  return plaintext.length > 0 && held.accessCheck('EDIT');
}

export function explain(error: unknown): string {
  if (isRmsError(error, 'DEPENDENCY_NOT_INSTALLED')) return `install ${error.dependency ?? ''}`;
  if (error instanceof StoreNotSecureError) return error.code;
  const code: RmsErrorCode = error instanceof RmsError ? error.code : 'INVALID_ARGUMENT';
  // @ts-expect-error codes are a closed list
  const unknownCode: RmsErrorCode = 'NO_SUCH_CODE';
  return `${code} ${unknownCode}`;
}

export const versions: string = `${VERSION} ${nativeInfo.openssl} ${nativeInfo.napiVersion}`;
// @ts-expect-error nativeInfo is read-only
nativeInfo.openssl = 'forged';

export function askNobody(request: TokenRequest): never {
  throw new RmsError('NEEDS_UI', `no one to ask for ${request.resource}`);
}

// Issuing certificates and licenses, signing templates and opening sealed policies are the
// service's work (openrms/server); the client's store, its connections and the license codecs
// stay behind RmsClient.
// @ts-expect-error the service issues server licensor certificates
void openrms.issueSlc;
// @ts-expect-error the service issues rights account certificates
void openrms.issueRac;
// @ts-expect-error the service issues client licensor certificates
void openrms.issueClc;
// @ts-expect-error the service issues use licenses
void openrms.issueUl;
// @ts-expect-error the service issues use licenses
void openrms.issueUlAsync;
// @ts-expect-error the service signs templates
void openrms.signTemplate;
// @ts-expect-error the service signs online publishing licenses
void openrms.publishOnline;
// @ts-expect-error the service unwraps a publishing license's content key
void openrms.unwrapPlContentKey;
// @ts-expect-error the service opens a publishing license's sealed policy
void openrms.openPolicy;
// @ts-expect-error a JWS signer for any claims is not an application's tool
void openrms.signJws;
// @ts-expect-error the client's store is behind RmsClient
void openrms.ClientStore;
// @ts-expect-error a connection to one service is behind RmsClient
void openrms.ServiceConnection;
// @ts-expect-error the service is its own entry point
void openrms.startService;
