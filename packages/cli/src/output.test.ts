import { describe, expect, it } from 'vitest';
import { Output } from './output.js';

function collector(isTTY = false) {
  const chunks: string[] = [];
  return { stream: { isTTY, write: (chunk: string) => chunks.push(chunk) }, text: () => chunks.join('') };
}

const WIF = '5KMWWy2d3Mjc8LojNoj8Lcz9B1aWu8bRofUgGwQk959Dw5h2iyw';

describe('output', () => {
  it('writes logs as JSON lines on stderr when not on a terminal, and on stdout with --json', () => {
    const out = collector();
    const err = collector();
    new Output({ stdout: out.stream, stderr: err.stream }).log('info', 'missed', 'alice missed slot 7', { aslot: 7 });
    expect(out.text()).toBe('');
    expect(JSON.parse(err.text())).toMatchObject({
      level: 'info',
      event: 'missed',
      message: 'alice missed slot 7',
      aslot: 7,
    });

    const jsonOut = collector();
    const jsonErr = collector(true);
    new Output({ stdout: jsonOut.stream, stderr: jsonErr.stream, json: true }).log('warn', 'stale', 'node stale');
    expect(jsonErr.text()).toBe('');
    expect(JSON.parse(jsonOut.text())).toMatchObject({ level: 'warn', event: 'stale' });
  });

  it('never prints a configured secret or anything shaped like a WIF key', () => {
    const err = collector();
    const output = new Output({ stdout: collector().stream, stderr: err.stream, secrets: ['bot-token-123456'] });
    output.log('error', 'error', `telegram said no to bot-token-123456 about ${WIF}`, { error: new Error(WIF) });
    expect(err.text()).not.toContain('bot-token-123456');
    expect(err.text()).not.toContain(WIF);
    expect(err.text()).toContain('[redacted]');
  });

  it('shows a node URL without the API key in its path', () => {
    const err = collector();
    const output = new Output({ stdout: collector().stream, stderr: err.stream });
    output.addReplacement('https://rpc.example.com/apikey-0123456789', 'https://rpc.example.com');
    output.log('warn', 'node-stale', 'https://rpc.example.com/apikey-0123456789: timeout');
    expect(err.text()).toContain('https://rpc.example.com: timeout');
    expect(err.text()).not.toContain('apikey');
  });

  it('paints a terminal narrative and honours NO_COLOR', () => {
    const colored = collector(true);
    new Output({ stdout: collector().stream, stderr: colored.stream, env: {} }).log('info', 'x', 'hello');
    expect(colored.text()).toContain('\u001b[');
    const plain = collector(true);
    new Output({ stdout: collector().stream, stderr: plain.stream, env: { NO_COLOR: '1' } }).log('info', 'x', 'hello');
    expect(plain.text()).not.toContain('\u001b[3');
    expect(plain.text()).toContain('hello');
  });

  it('keeps the live line within the terminal width, so redrawing it never scrolls', () => {
    const chunks: string[] = [];
    const stderr = { isTTY: true, columns: 20, write: (chunk: string) => chunks.push(chunk) };
    new Output({ stdout: collector().stream, stderr, env: { NO_COLOR: '1' } }).live(
      'head #123456 by someone · next slot in 12.3 s',
    );
    const shown = (chunks.at(-1) ?? '').replace('\r\u001b[2K', '');
    expect(shown.length).toBeLessThan(20);
  });

  it('keeps the live line off non-terminals, so logs never fill with it', () => {
    const err = collector();
    const output = new Output({ stdout: collector().stream, stderr: err.stream });
    output.live('head 100 · next slot in 12 s');
    expect(err.text()).toBe('');
  });
});
