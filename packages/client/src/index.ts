export {
  type Calendar,
  type CalendarCreate,
  type CalendarImport,
  type CalendarsPage,
  CalendarsResource,
  type CalendarUpdate,
  type DeletedCalendarOrWindow,
  type ListPageOptions,
  type MaintenanceWindow,
  type MaintenanceWindowCreate,
  type MaintenanceWindowsPage,
  MaintenanceWindowsResource,
  type MaintenanceWindowUpdate,
} from "./calendars.js";
export {
  type CursorPageOptions,
  type DeliveriesPageOptions,
  EdgecronClient,
  type EdgecronClientOptions,
  type ExportOptions,
  type ExportSelector,
  type LogExport,
  type LogsPageOptions,
  type LogsSelector,
  type MetricsOptions,
  type RequestOptions,
  type RunsPageOptions,
} from "./client.js";
export { EdgecronApiError, EdgecronNetworkError, problemMessage } from "./errors.js";
export {
  type DeletedMonitor,
  type Monitor,
  type MonitorCreate,
  type MonitorPageOptions,
  type MonitorPing,
  type MonitorPingsPage,
  type MonitorState,
  type MonitorsFilter,
  type MonitorsPage,
  type MonitorsPageOptions,
  MonitorsResource,
  type MonitorUpdate,
  type PingOptions,
  type PingResult,
  type PingState,
  pingKeyOf,
  pingUrl,
  type RotatedPingKey,
} from "./monitors.js";
export { ndjsonValues } from "./ndjson.js";
export type { components, operations, paths } from "./schema.js";
export * from "./signatures.js";
export type * from "./types.js";
