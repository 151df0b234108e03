/** The configured health URLs (`--health KEY=URL`), probed once each as the trap would; `check` and `drill` share it. */

/** One key's node, by its health URL. */
export interface HealthProbeResult {
  key: string;
  url: string;
  up: boolean;
}

/** Probes every configured health URL at once (5 s each); none configured: none probed. */
export async function probeHealthUrls(health: Record<string, string>): Promise<HealthProbeResult[]> {
  const entries = Object.entries(health);
  if (entries.length === 0) return [];
  const { httpHealthProbe } = await import('@witness-trap/core');
  return Promise.all(
    entries.map(async ([key, url]) => ({ key, url, up: (await httpHealthProbe(url, AbortSignal.timeout(5000))).up })),
  );
}
