/**
 * Which secrets a `--config` JSON file holds. Private keys and notifier tokens are never accepted there (they are
 * environment-only options), but URLs can carry secrets too: a webhook's token sits in its path or query (Discord,
 * Slack), and a node URL may carry an API key or a password. A file holding one is held to the key files' rule.
 */

/** The options in `fromFile` that carry a secret, as the operator named them (`"webhook"`, `"node"`). */
export function configFileSecrets(fromFile: Record<string, unknown>): string[] {
  const held: string[] = [];
  if (urls(fromFile.webhook).length > 0) held.push('"webhook" (a URL that may carry a token)');
  if (urls(fromFile.node).some(carriesCredentials)) held.push('"node" (a URL with credentials)');
  return held;
}

function urls(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === 'string');
}

/** Userinfo, a query, or a path beyond `/`: where RPC providers put API keys. */
function carriesCredentials(text: string): boolean {
  try {
    const url = new URL(text);
    return url.username !== '' || url.password !== '' || url.search !== '' || url.pathname.replace(/\/+$/, '') !== '';
  } catch {
    return false;
  }
}
