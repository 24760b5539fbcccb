export { FrameworkServer, ServerErrorCodes, type ServerOptions, type ServerDeps } from './framework-server.js';
export { FrameworkMetrics, type FrameworkMetricsOptions, type MetricsSources } from './framework-metrics.js';
