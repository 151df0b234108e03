/**
 * JSON-RPC 2.0 framing: parse a body, dispatch each call (batches too), and shape results and errors. Nothing here
 * knows about Hive; `dispatch` is given the method table.
 */

/** A JSON-RPC error to answer with (`-32601`, `-32602`, ...). */
export class RpcFailure extends Error {
  readonly code: number;
  readonly data: unknown;
  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.name = 'RpcFailure';
    this.code = code;
    this.data = data;
  }
}

/** JSON-RPC: the body is not JSON. */
export const RPC_PARSE_ERROR = -32700;
/** JSON-RPC: not a valid request object (also: too large, nested too deeply). */
export const RPC_INVALID_REQUEST = -32600;
/** JSON-RPC: no such method. */
export const RPC_METHOD_NOT_FOUND = -32601;
/** JSON-RPC: the params do not fit the method. */
export const RPC_INVALID_PARAMS = -32602;
/** JSON-RPC: the server failed. */
export const RPC_INTERNAL_ERROR = -32603;

/** The deepest nesting of arrays/objects a request may have (wax parses transactions recursively). */
export const MAX_JSON_DEPTH = 64;

/** One JSON-RPC response object. */
export type RpcResponse =
  | { jsonrpc: '2.0'; id: unknown; result: unknown }
  | { jsonrpc: '2.0'; id: unknown; error: { code: number; message: string; data?: unknown } };

/** A call after framing: the method name and its params (hived's legacy `call` form unwrapped by the caller). */
export interface RpcCall {
  method: string;
  params: unknown;
}

/** Turns an error into a JSON-RPC error object. Errors that know their shape (`toRpcError`) keep it. */
export function errorObject(error: unknown): { code: number; message: string; data?: unknown } {
  if (error instanceof RpcFailure)
    return error.data === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, data: error.data };
  if (error && typeof error === 'object' && 'toRpcError' in error && typeof error.toRpcError === 'function')
    return error.toRpcError();
  return { code: RPC_INTERNAL_ERROR, message: 'Internal error' };
}

/** The nesting depth of a JSON text, counting brackets outside strings. Cheap, and safe on hostile input. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}

/** Parses a request body. Returns the requests (a batch or one), or a response to send as is. */
export function parseBody(text: string): { batch: boolean; requests: unknown[] } | { response: RpcResponse } {
  if (jsonDepth(text) > MAX_JSON_DEPTH)
    return { response: failure(null, new RpcFailure(RPC_INVALID_REQUEST, 'Invalid Request: nested too deeply')) };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { response: failure(null, new RpcFailure(RPC_PARSE_ERROR, 'Parse error')) };
  }
  if (Array.isArray(body)) {
    if (body.length === 0)
      return { response: failure(null, new RpcFailure(RPC_INVALID_REQUEST, 'Invalid Request: empty batch')) };
    return { batch: true, requests: body };
  }
  return { batch: false, requests: [body] };
}

/** Validates one request object's framing. Throws `RpcFailure(-32600)`. */
export function frameOf(request: unknown): { id: unknown; call: RpcCall; notification: boolean } {
  if (!request || typeof request !== 'object' || Array.isArray(request))
    throw new RpcFailure(RPC_INVALID_REQUEST, 'Invalid Request: not an object');
  const r = request as Record<string, unknown>;
  const id = r.id;
  if (r.jsonrpc !== '2.0') throw new RpcFailure(RPC_INVALID_REQUEST, 'Invalid Request: jsonrpc must be "2.0"');
  if (id !== undefined && id !== null && typeof id !== 'string' && typeof id !== 'number')
    throw new RpcFailure(RPC_INVALID_REQUEST, 'Invalid Request: id must be a string, number or null');
  if (typeof r.method !== 'string' || r.method.length === 0)
    throw new RpcFailure(RPC_INVALID_REQUEST, 'Invalid Request: method must be a string');
  return { id: id ?? null, call: { method: r.method, params: r.params }, notification: !('id' in r) };
}

/** A result response. */
export function success(id: unknown, result: unknown): RpcResponse {
  return { jsonrpc: '2.0', id, result };
}

/** An error response. */
export function failure(id: unknown, error: unknown): RpcResponse {
  return { jsonrpc: '2.0', id, error: errorObject(error) };
}

/** The id of a request object, where it has a usable one (for error responses to bad requests). */
export function idOf(request: unknown): unknown {
  if (request && typeof request === 'object' && 'id' in request) {
    const id = (request as { id: unknown }).id;
    if (typeof id === 'string' || typeof id === 'number') return id;
  }
  return null;
}
