/**
 * Types for the prom-client modules that metrics.ts and sources.ts import one by one rather than
 * through the package's index (see metrics.ts): the same classes the index exports.
 */
declare module 'prom-client/lib/counter' {
  export { Counter as default } from 'prom-client'
}
declare module 'prom-client/lib/gauge' {
  export { Gauge as default } from 'prom-client'
}
declare module 'prom-client/lib/histogram' {
  export { Histogram as default } from 'prom-client'
}
declare module 'prom-client/lib/registry' {
  export { Registry as default } from 'prom-client'
}
declare module 'prom-client/lib/defaultMetrics' {
  export { collectDefaultMetrics as default } from 'prom-client'
}
