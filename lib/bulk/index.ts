/** Bulk protection and unprotection of files and folders (docs/bulk.md). */
export { runBulk } from './bulk-run';
export type { BulkEvent, BulkOperation, BulkOptions, BulkSummary } from './bulk-run';
export { previewProtect } from './file-jobs';
export type { BulkFile, BulkFileResult, LicenseChoice, ProtectStart, StartContext } from './file-jobs';
export type { BulkProgress } from './progress-meter';
export { formatBytes, formatDuration, formatProgress, ProgressRenderer } from './progress-renderer';
export type { ProgressOutput, ProgressRendererOptions } from './progress-renderer';
export { walkPaths } from './walk';
export type { WalkEntry, WalkOptions } from './walk';
export { defaultJobs } from './worker-pool';
