/**
 * The one way into the switch machine: every switch of a trap (automatic, resumed, kill switch, manual, a peer's
 * adopted) runs after the one before it has ended, so two never overlap, and one that fails does not block the next.
 * Holds the tail of that queue.
 */
export class SwitchGate {
  readonly #onTurn: () => void;
  #tail: Promise<unknown> = Promise.resolve();

  /** @param onTurn - Called as each work's turn comes, just before it starts (the trap: "switching, not watching"). */
  constructor(onTurn: () => void = () => undefined) {
    this.#onTurn = onTurn;
  }

  /** Runs `work` once every work passed before it has settled; settles as `work` does. */
  run<T>(work: () => Promise<T>): Promise<T> {
    const turn = this.#tail.then(() => {
      this.#onTurn();
      return work();
    });
    this.#tail = turn.catch(() => undefined);
    return turn;
  }
}
