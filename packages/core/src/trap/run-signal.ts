import { setMaxListeners } from 'node:events';

/**
 * How many abort listeners one of the trap's signals may carry before Node warns. Every RPC call of a decisive read
 * listens on the run's signal while it is in flight (every configured node at once, a head read beside each), and
 * removes its listener when it settles; Node's default of 10 would print a MaxListenersExceededWarning on stderr with
 * five or more nodes. A real leak still warns, past this many.
 */
const RUN_SIGNAL_MAX_LISTENERS = 1000;

/** An abort controller for a signal that many in-flight calls listen on at once. */
export function sharedAbortController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(RUN_SIGNAL_MAX_LISTENERS, controller.signal);
  return controller;
}
