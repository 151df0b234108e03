/**
 * A node or webhook URL as shown to people and in metrics: scheme and host only. Paths, queries and userinfo may
 * hold API keys or tokens (Discord and Slack webhooks carry theirs in the path).
 * @example
 * safeUrl('https://user:pw@rpc.example.com/key/abc?x=1'); // 'https://rpc.example.com'
 */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return '(invalid URL)';
  }
}
