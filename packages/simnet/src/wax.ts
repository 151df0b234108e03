import { createWaxFoundation, type IWaxBaseInterface } from '@hiveio/wax';

/**
 * One wax instance per chain id for the whole process: wax is hived's own protocol code in WebAssembly, and starting
 * it costs ~75 ms, so simnets (and tests that start many) share it.
 */
const instances = new Map<string, Promise<IWaxBaseInterface>>();

/** The shared wax instance for `chainId`. */
export function waxFor(chainId: string): Promise<IWaxBaseInterface> {
  let instance = instances.get(chainId);
  if (!instance) {
    instance = createWaxFoundation({ chainId });
    instances.set(chainId, instance);
    instance.catch(() => instances.delete(chainId));
  }
  return instance;
}
