/** The licensing service (`openrms serve`): REST/JSON under /_wmcs over SQLite. */
export { startService } from './service';
export type { LogEntry, RunningService, ServiceOptions } from './service';
export { runWorkers } from './workers';
export type { RunningWorkers, WorkersOptions } from './workers';
export type { MetricsAccess } from './service-metrics';
export { DEFAULT_LIMITS } from './service-limits';
export type { ServiceLimits } from './service-limits';
export { openDataFolder, DEFAULT_SETTINGS } from './data-folder';
export type { DataFolder, OidcSettings, ServiceSettings } from './data-folder';
export type { Account, AddUserOptions } from './accounts';
export type { Template, TemplateDefinition } from './templates';
export type { AuditEntry, AuditQuery, AuditRecord } from './audit-log';
export type { Groups } from './groups';
