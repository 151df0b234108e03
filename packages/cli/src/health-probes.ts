/** The configured health URLs (`--health KEY=URL`), probed once each as the trap would; `check` and `drill` share it. */
import { tcpReachable } from './preflight.js';

/** One key's node, by its health URL. */
export interface HealthProbeResult {
  key: string;
  url: string;
  up: boolean;
  /**
   * Something answers at the URL's host and port, even if not up (a node reporting itself down answers with a
   * non-2xx status); false means nothing listens there (a wrong address, or the host is off).
   */
  answered: boolean;
}

/** Probes every configured health URL at once (5 s each); none configured: none probed. */
export async function probeHealthUrls(health: Record<string, string>): Promise<HealthProbeResult[]> {
  const entries = Object.entries(health);
  if (entries.length === 0) return [];
  const { httpHealthProbe } = await import('@witness-trap/core');
  return Promise.all(
    entries.map(async ([key, url]) => {
      const { up } = await httpHealthProbe(url, AbortSignal.timeout(5000));
      return { key, url, up, answered: up || (await tcpReachable(url)) === undefined };
    }),
  );
}
