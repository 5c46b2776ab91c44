/** HTTP to a licensing service: the auth challenge, token providers, JSON calls. */
export { parseChallenge } from './auth-challenge';
export type { AuthChallenge, ProvidedToken, TokenProvider } from './auth-challenge';
export { clientCredentialsTokenProvider, passwordTokenProvider, ServiceConnection } from './service-connection';
export type { ConnectionOptions } from './service-connection';
export type { HttpOptions } from './http-json';
