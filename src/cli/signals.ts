/**
 * Graceful shutdown on SIGTERM (systemd stop) and SIGINT (Ctrl-C). A second signal while the
 * server drains exits at once, for the operator who does not want to wait.
 */
const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const

export function waitForShutdownSignal(onForcedExit: (signal: string) => void): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const first = (signal: NodeJS.Signals) => {
      for (const s of SHUTDOWN_SIGNALS) {
        process.off(s, first)
        process.once(s, second)
      }
      resolve(signal)
    }
    const second = (signal: NodeJS.Signals) => {
      onForcedExit(signal)
      process.exit(1)
    }
    for (const s of SHUTDOWN_SIGNALS) process.on(s, first)
  })
}
