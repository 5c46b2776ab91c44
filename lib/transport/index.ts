/** HTTP to a licensing service: the auth challenge, token providers, JSON calls. */
export { interactiveTokenProvider, parseChallenge } from './auth-challenge';
export type { AuthChallenge, ProvidedToken, TokenProvider, TokenRequest } from './auth-challenge';
export { ENROLLED_ONLY, ServiceAllowList } from './trust-policy';
export type { TrustPolicy } from './trust-policy';
export { clientCredentialsTokenProvider, passwordTokenProvider, ServiceConnection } from './service-connection';
export type { SecretProviderOptions } from './service-connection';
export type { ConnectionOptions } from './service-connection';
export type { HttpOptions } from './http-json';
export { NoProxyList, parseProxyUrl, Proxies, ProxyServer } from './proxy-config';
export type { ProxyChoice, ProxyParsed, ProxyPolicy } from './proxy-config';
