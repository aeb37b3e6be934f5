/** Sentry reporting of unhandled exceptions (docs/METRICS.md, "Sentry"). */
export {
  createErrorReporter,
  type ErrorReporter,
  type ErrorReporterOptions,
  type ErrorRequestContext,
  REDACTED_VALUE,
  scrubQuery,
} from './reporter.ts'
