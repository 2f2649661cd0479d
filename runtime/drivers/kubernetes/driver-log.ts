/**
 * The driver's structured log sink. Fields carry names, namespaces, endpoints and timings,
 * never a token: the driver only ever logs what a SandboxBinding holds minus `token`.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type DriverLog = (level: LogLevel, message: string, fields?: Readonly<Record<string, unknown>>) => void;

/** JSON lines on stderr, without debug. */
export const stderrJsonLog: DriverLog = (level, message, fields) => {
  if (level === 'debug') return;
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, component: 'kubernetes-driver', message, ...fields })}\n`);
};
