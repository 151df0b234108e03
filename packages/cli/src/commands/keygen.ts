/** `witness-trap keygen`: a new signing key pair for a new backup node. */
import { ExitCode } from '../exit-codes.js';
import { generateKeyPair } from '../hive-keys.js';
import type { CommandContext } from '../main.js';

/** Prints a new key pair: the private key to stdout only, with a warning on stderr. */
export async function keygenCommand({ output }: CommandContext): Promise<number> {
  const pair = generateKeyPair();
  output.revealResult(
    { publicKey: pair.publicKey, privateKey: pair.privateKey },
    `public key:  ${pair.publicKey}\nprivate key: ${pair.privateKey}`,
  );
  output.notice(
    "the private key above is shown once and stored nowhere: put it in the backup node's config.ini " +
      '(private-key = ...), give witness-trap only the public key (--backup-key), and clear your scrollback',
  );
  return ExitCode.ok;
}
