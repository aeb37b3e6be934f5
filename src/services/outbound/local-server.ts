/**
 * The one rule for reaching private addresses: a server whose own public URL is on loopback is a
 * development or test server (`serve --dev`, the test harness), whose PLC directory, relays and
 * handle hosts run on loopback too. Any other server reaches public addresses only.
 */
export function isLoopbackOrigin(origin: string): boolean {
  const host = new URL(origin).hostname
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host)
}
