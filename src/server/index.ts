export { FrameworkServer, ServerErrorCodes, SERVER_TIMEOUT_DEFAULTS, type ServerOptions, type ServerDeps } from './framework-server.js';
export { FrameworkMetrics, type FrameworkMetricsOptions, type MetricsSources } from './framework-metrics.js';
