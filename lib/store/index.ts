/** The client's on-disk store: keys, sign-ins, cached licenses and templates. */
export { ClientStore } from './client-store';
export type { ServiceAccount, StoredToken } from './client-store';
export { defaultStoreRoot } from './store-root';
export { StoreNotSecureError } from './store-ownership';
