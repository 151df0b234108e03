import { RpcError } from '../errors.js';

/**
 * JSON-RPC error codes that speak of the node or the request, never of a transaction: parse error, invalid
 * request, method not found (an API plugin not enabled), internal error.
 */
const NODE_FAULT_CODES = new Set([-32700, -32600, -32601, -32603]);
/** hived's words for a node in trouble, whatever `data.name` it puts on them. */
const NODE_FAULT_TEXT =
  /unable to acquire (?:the )?(?:database|read|write)? ?lock|could not find (?:api|method)|plugin (?:is )?not enabled|api .* not enabled/i;

/**
 * An error that comes from the node rather than from what was sent (an API plugin not enabled, a bad request, a
 * parse error, a 5xx or an HTML page, "Unable to acquire database lock"): it marks the node unavailable, and it is
 * never hived's verdict on a broadcast.
 */
export function isNodeFault(error: Error): boolean {
  if (!(error instanceof RpcError)) return true;
  if (error.code !== 'RPC_ERROR') return true;
  if (error.rpcCode !== undefined && (NODE_FAULT_CODES.has(error.rpcCode) || error.rpcCode >= 500)) return true;
  const text = `${error.message} ${JSON.stringify(error.details ?? {})}`;
  return NODE_FAULT_TEXT.test(text);
}
