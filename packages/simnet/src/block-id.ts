import { createHash } from 'node:crypto';

/**
 * A block id as hived makes it: 20 bytes, the first 4 the block number big-endian (so `ref_block_num` can find the
 * block), the rest from a hash of the header (so `ref_block_prefix`, bytes 4..8, pins the exact block).
 */
export function makeBlockId(blockNum: number, headerDigestInput: string): string {
  const hash = createHash('sha256').update(headerDigestInput).digest();
  const id = Buffer.alloc(20);
  id.writeUInt32BE(blockNum >>> 0, 0);
  hash.copy(id, 4, 0, 16);
  return id.toString('hex');
}

/** The `ref_block_prefix` a transaction must carry to refer to the block with this id. */
export function refBlockPrefix(blockId: string): number {
  return Buffer.from(blockId, 'hex').readUInt32LE(4);
}

/** The block number encoded in a block id. */
export function blockNumFromId(blockId: string): number {
  return Buffer.from(blockId.slice(0, 8), 'hex').readUInt32BE(0);
}

/** The id hived reports as `previous` of block 1. */
export const ZERO_BLOCK_ID = '0'.repeat(40);
