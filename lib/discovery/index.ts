/**
 * Discovery (docs/discovery.md): finding the licensing service from the registry, an Active
 * Directory service connection point, DNS SRV records or a cloud service URL, with every step
 * reported; and registering the service connection point, as the AD RMS console does.
 */
export { discoverService, forgetDiscovered, requireService } from './discover-service';
export type { DiscoverOptions, DiscoveryContext } from './discover-service';
export type { DiscoveredService, DiscoveryResult, DiscoveryStep, DiscoverySource } from './discovery-steps';
export { ldapUrlOf, openConfiguredDirectory } from './directory-location';
export { DirectorySession } from './directory-session';
export type { DirectoryOptions } from './directory-session';
export { readScp, registerScp, removeScp, scpDn } from './service-connection-point';
export { SrvResolver } from './dns-srv';
export type { SrvTarget } from './dns-srv';
