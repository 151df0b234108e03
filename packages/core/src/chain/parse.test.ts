import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MalformedAnswerError,
  parseAccount,
  parseBlockHeader,
  parseBlockInterval,
  parseHead,
  parseSchedule,
  parseWitness,
} from './parse.js';

const ID_1000 = `000003e8${'a'.repeat(32)}`;
const ID_1001 = `000003e9${'b'.repeat(32)}`;

describe('parsing hived JSON', () => {
  it('reads the head with hived time (UTC without a zone) and numbers given as strings', () => {
    const head = parseHead({
      head_block_number: '1000',
      head_block_id: ID_1000.toUpperCase(),
      time: '2026-11-25T16:30:51',
      current_witness: 'bob',
      current_aslot: 1200,
      last_irreversible_block_num: 985,
      total_vesting_shares: '1.000000 VESTS',
    });
    expect(head).toEqual({
      headBlockNumber: 1000,
      headBlockId: ID_1000,
      headBlockTime: Date.UTC(2026, 10, 25, 16, 30, 51),
      currentAslot: 1200,
      currentWitness: 'bob',
      lastIrreversibleBlockNum: 985,
    });
  });

  it.each([
    ['null', null],
    ['an HTML string', '<html>502</html>'],
    ['a missing time', { head_block_number: 1, head_block_id: ID_1000, current_witness: 'b', current_aslot: 1 }],
    ['a time that is not a time', { ...validHead(), time: 'yesterday' }],
    ['a fractional block number', { ...validHead(), head_block_number: 1.5 }],
    ['a short block id', { ...validHead(), head_block_id: 'abcd' }],
    ['a block number its block id does not carry (a lie)', { ...validHead(), head_block_number: 2000 }],
    ['an irreversible block past the head', { ...validHead(), last_irreversible_block_num: 1001 }],
  ])('rejects a head that is %s', (_what, raw) => {
    expect(() => parseHead(raw)).toThrow(MalformedAnswerError);
  });

  it('reads find_witnesses with assets as {amount, nai, precision}', () => {
    const witness = parseWitness(
      {
        witnesses: [
          {
            owner: 'alice',
            url: 'https://alice.example',
            signing_key: 'STM1111111111111111111111111111111114T1Anm',
            total_missed: 3,
            last_aslot: '77',
            last_confirmed_block_num: 66,
            props: {
              account_creation_fee: { amount: '3000', precision: 3, nai: '@@000000021' },
              maximum_block_size: 65536,
              hbd_interest_rate: 2000,
            },
          },
        ],
      },
      'alice',
    );
    expect(witness?.props.accountCreationFee).toBe('3.000 HIVE');
    expect(witness?.lastAslot).toBe(77);
    expect(parseWitness({ witnesses: [] }, 'alice')).toBeNull();
    expect(parseWitness(null, 'alice')).toBeNull();
  });

  it('converts small and large NAI amounts without losing digits', () => {
    const fee = (amount: string, nai = '@@000000021', precision = 3) =>
      parseWitness(
        {
          owner: 'a-b',
          url: 'u',
          signing_key: 'STMx',
          total_missed: 0,
          last_aslot: 0,
          last_confirmed_block_num: 0,
          props: { account_creation_fee: { amount, nai, precision }, maximum_block_size: 1, hbd_interest_rate: 0 },
        },
        'a-b',
      )?.props.accountCreationFee;
    expect(fee('1')).toBe('0.001 HIVE');
    expect(fee('0')).toBe('0.000 HIVE');
    expect(fee('123456789012345678')).toBe('123456789012345.678 HIVE');
    expect(fee('5', '@@000000013')).toBe('0.005 HBD');
    expect(() => fee('5', '@@999999999')).toThrow(MalformedAnswerError);
    expect(() => fee('-5')).toThrow(MalformedAnswerError);
  });

  it('keeps every digit of any NAI amount at any precision', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }), fc.integer({ min: 0, max: 9 }), (amount, precision) => {
        const fee = parseWitness(
          {
            owner: 'alice',
            url: 'u',
            signing_key: 'STMx',
            total_missed: 0,
            last_aslot: 0,
            last_confirmed_block_num: 0,
            props: {
              account_creation_fee: { amount: amount.toString(), precision, nai: '@@000000021' },
              maximum_block_size: 1,
              hbd_interest_rate: 0,
            },
          },
          'alice',
        )?.props.accountCreationFee;
        const [number, symbol] = (fee ?? '').split(' ');
        expect(symbol).toBe('HIVE');
        expect(BigInt((number ?? '').replace('.', ''))).toBe(amount);
        expect((number ?? '').split('.')[1]?.length ?? 0).toBe(precision);
      }),
    );
  });

  it('reads the schedule, dropping the empty names hived pads it with, and the future round where given', () => {
    const names = Array.from({ length: 21 }, (_, i) => `w${i + 10}`);
    const schedule = parseSchedule({
      current_shuffled_witnesses: [...names, '', '', ''],
      num_scheduled_witnesses: 21,
      next_shuffle_block_num: '1008',
      future_shuffled_witnesses: [...[...names].reverse(), ''],
    });
    expect(schedule.currentShuffledWitnesses).toEqual(names);
    expect(schedule.futureShuffledWitnesses).toEqual([...names].reverse());
    expect(schedule.nextShuffleBlockNum).toBe(1008);
    const condenser = parseSchedule({
      current_shuffled_witnesses: names,
      num_scheduled_witnesses: 21,
      next_shuffle_block_num: 1008,
    });
    expect(condenser.futureShuffledWitnesses).toBeUndefined();
    expect(() => parseSchedule({ ...condenser, num_scheduled_witnesses: 30 })).toThrow(MalformedAnswerError);
  });

  it('reads a block from condenser_api.get_block, block_api.get_block and block_api.get_block_header', () => {
    const block = {
      previous: ID_1000,
      timestamp: '2026-11-25T16:30:54',
      witness: 'alice',
      block_id: ID_1001,
      signing_key: 'STMabc',
      transaction_ids: ['ff'.repeat(20)],
      transactions: [],
    };
    const expected = {
      number: 1001,
      id: ID_1001,
      previous: ID_1000,
      timestamp: Date.UTC(2026, 10, 25, 16, 30, 54),
      witness: 'alice',
      signingKey: 'STMabc',
      transactionIds: ['ff'.repeat(20)],
    };
    expect(parseBlockHeader(block, 1001)).toEqual(expected);
    expect(parseBlockHeader({ block }, 1001)).toEqual(expected);
    expect(
      parseBlockHeader({ header: { previous: ID_1000, timestamp: block.timestamp, witness: 'alice' } }, 1001),
    ).toEqual({ number: 1001, previous: ID_1000, timestamp: expected.timestamp, witness: 'alice' });
    expect(parseBlockHeader(null, 1001)).toBeNull();
    expect(parseBlockHeader({}, 1001)).toBeNull();
  });

  it('rejects a block that is not the one asked for', () => {
    const block = { previous: ID_1000, timestamp: '2026-11-25T16:30:54', witness: 'alice', block_id: ID_1001 };
    expect(() => parseBlockHeader(block, 1002)).toThrow(MalformedAnswerError);
    expect(() => parseBlockHeader({ ...block, block_id: ID_1000 }, 1001)).toThrow(MalformedAnswerError);
  });

  it("reads an account's active and owner authorities", () => {
    const auth = { weight_threshold: 1, account_auths: [['bob', 1]], key_auths: [['STMabc', 1]] };
    expect(parseAccount([{ name: 'alice', active: auth, owner: auth, posting: auth }], 'alice')).toEqual({
      name: 'alice',
      active: { weightThreshold: 1, keyAuths: [['STMabc', 1]], accountAuths: [['bob', 1]] },
      owner: { weightThreshold: 1, keyAuths: [['STMabc', 1]], accountAuths: [['bob', 1]] },
    });
    expect(parseAccount([], 'alice')).toBeNull();
    expect(() => parseAccount([{ name: 'alice', active: { weight_threshold: 1 }, owner: auth }], 'alice')).toThrow(
      MalformedAnswerError,
    );
  });

  it('reads the block interval in seconds, fractions of a second, or milliseconds', () => {
    expect(parseBlockInterval({ HIVE_BLOCK_INTERVAL: 3 })).toBe(3000);
    expect(parseBlockInterval({ HIVE_BLOCK_INTERVAL: '3' })).toBe(3000);
    expect(parseBlockInterval({ HIVE_BLOCK_INTERVAL: 0.5 })).toBe(500);
    expect(parseBlockInterval({ HIVE_BLOCK_INTERVAL: 200 })).toBe(200);
    expect(parseBlockInterval({ HIVE_BLOCK_INTERVAL: 0.05, SIMNET_BLOCK_INTERVAL_MS: 50 })).toBe(50);
    expect(() => parseBlockInterval({ HIVE_BLOCK_INTERVAL: 0 })).toThrow(MalformedAnswerError);
    expect(() => parseBlockInterval({})).toThrow(MalformedAnswerError);
  });
});

function validHead() {
  return {
    head_block_number: 1000,
    head_block_id: ID_1000,
    time: '2026-11-25T16:30:51',
    current_witness: 'bob',
    current_aslot: 1200,
    last_irreversible_block_num: 985,
  };
}
