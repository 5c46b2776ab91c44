/** The options of an RmsClient and of the operations it hands to its services. */
import { KeyProfile } from '../crypto/key-profile';
import { SettingsMode, SettingsOverrides } from '../settings';
import { TokenProvider } from '../transport/auth-challenge';
import { HttpOptions } from '../transport/http-json';
import { TrustPolicy } from '../transport/trust-policy';

export interface RmsClientOptions extends HttpOptions {
  /**
   * MSIPC's split: `client` (default) is a person, whose store is per user and who reads the
   * HKCU settings; `server` is a service account (`account`), whose store is machine-wide and
   * which reads `HKLM\...\MSIPC\Server\<account>` and never asks a person (NEEDS_UI).
   */
  mode?: SettingsMode;
  /** The service account, in server mode. */
  account?: string;
  /** Settings passed in code: they win over environment variables and the registry (docs/settings.md). */
  settings?: SettingsOverrides;
  /**
   * The store's root folder (default: OPENRMS_HOME, else the platform's per-user data folder; in
   * server mode OPENRMS_SERVER_HOME/<account>, else the platform's machine-wide folder).
   */
  store?: string;
  /** The default publishing service: its URL or service ID (default: the last one signed in to). */
  service?: string;
  /** Asked for a token when a service challenges and the stored one is gone or refused. */
  tokenProvider?: TokenProvider;
  /**
   * Services this client may enrol at on demand, when it meets a publishing license from a
   * service it has not met (default: none, only the services signed in to explicitly).
   */
  trustPolicy?: TrustPolicy;
  /** Never contact a service: a use license not in the cache is NEEDS_ONLINE (MSIPC's IPC_PROMPT_FLAG_OFFLINE). */
  offlineOnly?: boolean;
  /** Download templates in the background when due (docs/templates.md); the timer does not keep the process alive. */
  refreshTemplatesInBackground?: boolean;
  /**
   * Whether the token provider may ask a person. Default: the `Federation\EnableBrowser`
   * setting (off unless an administrator turns it on); never in server mode.
   */
  mayPrompt?: boolean;
  /**
   * The type of a device key this client makes when it signs in to a service (docs/licenses.md
   * "Key profiles"): `ec` (P-256) or `rsa` (RSA-2048). Default: the type of the service's
   * wrapping key in its SLC, so an EC service gets EC devices and an RSA one RSA devices. A key
   * already made is kept (enrolment on demand at another service reuses it).
   */
  deviceKeyType?: KeyProfile;
  /** The clock, in seconds since the epoch (tests). */
  now?: () => number;
}

export interface SignInOptions extends RmsClientOptions {
  /**
   * The service's base URL, e.g. http://127.0.0.1:8080. Default: the service discovery finds
   * (docs/discovery.md), the `ServiceLocation\EnterpriseCertification` (else `EnterprisePublishing`) setting's first.
   */
  serviceUrl?: string;
  /** The user's email: without `serviceUrl`, discovery searches its domain (DNS SRV, the directory's SRV records). */
  email?: string;
  tokenProvider: TokenProvider;
}

export interface GetContentKeyOptions {
  offlineOnly?: boolean;
}

export interface SerializeOptions {
  /** Have the service sign the PL (online publishing) instead of signing it with the CLC. */
  online?: boolean;
}
