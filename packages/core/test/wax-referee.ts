/**
 * hived's own protocol code (`@hiveio/wax`, WebAssembly) as an independent referee for what the core builds and
 * signs. A dev dependency of core only: the library itself never loads it.
 */
import { createWaxFoundation, type IWaxBaseInterface } from '@hiveio/wax';

const foundations = new Map<string, Promise<IWaxBaseInterface>>();

/** One wax instance per chain id (creating one takes ~75 ms). */
export function waxFor(chainId: string): Promise<IWaxBaseInterface> {
  let foundation = foundations.get(chainId);
  if (foundation === undefined) {
    foundation = createWaxFoundation({ chainId });
    foundations.set(chainId, foundation);
  }
  return foundation;
}
