import { describe, expect, it } from 'vitest';
import { keyRoles } from './key-roles.js';

const ON_CHAIN = 'STM-on-chain';
const BACKUP = 'STM-backup';
const ACTIVE = 'STM-active';
const OWNER = 'STM-owner';
const account = {
  name: 'alice',
  active: { weightThreshold: 1, keyAuths: [[ACTIVE, 1]] as Array<[string, number]>, accountAuths: [] },
  owner: { weightThreshold: 1, keyAuths: [[OWNER, 1]] as Array<[string, number]>, accountAuths: [] },
};
const chain = { signingKey: ON_CHAIN, backupKeys: [BACKUP], account };

describe('what each held key is', () => {
  it('names the key on chain, a backup and a stranger, each with what it would sign', () => {
    const report = keyRoles(
      'alice',
      { signingKeys: [], signingPublicKeys: [ON_CHAIN, BACKUP, 'STM-other'] },
      { signingKeysFile: '/etc/wt/signing.keys' },
      chain,
    );
    expect(report.warnings).toEqual([]);
    expect(report.roles.map((role) => [role.is, role.from])).toEqual([
      ['the signing key on chain now', '--signing-keys-file /etc/wt/signing.keys'],
      ['backup #1', '--signing-keys-file /etc/wt/signing.keys'],
      ["neither alice's signing key nor one of its backups", '--signing-keys-file /etc/wt/signing.keys'],
    ]);
  });

  it('warns that an owner key among the signing keys must leave the host, and an owner key as the active key too', () => {
    const report = keyRoles(
      'alice',
      { signingKeys: [], signingPublicKeys: [OWNER], activePublicKey: OWNER },
      { signingKeysEnv: 'set', activeKeyEnv: 'set' },
      chain,
    );
    expect(report.warnings[0]).toMatch(/^WITNESS_TRAP_SIGNING_KEYS holds alice's OWNER key .*keep it offline/);
    expect(report.warnings[1]).toMatch(/^WITNESS_TRAP_ACTIVE_KEY holds alice's OWNER key .*since HF28/);
  });

  it('names the configured active key as the one that signs witness_update', () => {
    const report = keyRoles(
      'alice',
      { signingKeys: [], signingPublicKeys: [], activePublicKey: ACTIVE },
      { activeKeyFile: 'a.key' },
      chain,
    );
    expect(report.roles).toEqual([
      {
        publicKey: ACTIVE,
        from: '--active-key-file a.key',
        is: "alice's active key",
        signs: 'witness_update: enable, and a switch where the key on chain is not held',
      },
    ]);
    expect(report.warnings).toEqual([]);
  });
});
