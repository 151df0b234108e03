/**
 * The Monte Carlo of failover incidents: lanes of simulated chains side by side, each running its share of the
 * incidents back to back. Crash moments are named draws (lane, incident), and every contender gets the same draws,
 * so the baseline faces the same crash moments (relative to arming) as witness-trap.
 */
import { type Contender, IncidentLane, type IncidentPlan, type IncidentResult, type LaneOptions } from './incident.js';
import { uniform } from './stats.js';

/** Options of {@link runMonteCarlo}. */
export interface MonteCarloOptions {
  contender: Contender;
  incidents: number;
  /** Chains side by side. @default 10 */
  lanes?: number;
  blockIntervalMs?: number;
  /** @default 'manual' */
  clock?: 'manual' | 'real';
  /** The simulated chain: tidy, or the hostile defaults with one node blackholed. @default 'tidy' */
  chain?: 'tidy' | 'hostile';
  /** Simnet options over the chain's. */
  simnet?: LaneOptions['simnet'];
  /** Pre-emptive runs: the node dies this many blocks before the witness's slot, drawn uniformly. */
  leadBlocks?: { min: number; max: number };
  /** Names the draws: runs with the same name get the same crash moments. @default 'mc' */
  name?: string;
  /** Called after each incident (progress). */
  onResult?: (result: IncidentResult, done: number) => void;
}

/** Runs `incidents` incidents for one contender; results in lane order. */
export async function runMonteCarlo(options: MonteCarloOptions): Promise<IncidentResult[]> {
  const lanes = Math.min(options.lanes ?? 10, options.incidents);
  const interval = options.blockIntervalMs ?? 3000;
  const name = options.name ?? 'mc';
  let done = 0;
  const perLane = await Promise.all(
    Array.from({ length: lanes }, async (_, l) => {
      const count = Math.floor(options.incidents / lanes) + (l < options.incidents % lanes ? 1 : 0);
      const lane = await IncidentLane.start({
        seed: `${name}-lane-${l}`,
        contender: options.contender,
        blockIntervalMs: interval,
        clock: options.clock ?? 'manual',
        chain: options.chain ?? 'tidy',
        ...(options.simnet === undefined ? {} : { simnet: options.simnet }),
      });
      const results: IncidentResult[] = [];
      try {
        for (let i = 0; i < count; i++) {
          const draw = (what: string) => uniform(`${name}/${l}/${i}/${what}`);
          const plan: IncidentPlan = {
            // A random moment of a 21-witness round after arming.
            killAfterMs: Math.floor(draw('kill') * 21 * interval),
            // The 2017 script's polls (every 10 blocks) fall at a random phase to the crash.
            startDelayMs: Math.floor(draw('phase') * 10 * interval),
          };
          if (options.leadBlocks !== undefined) {
            const { min, max } = options.leadBlocks;
            plan.leadMs = Math.floor((min + draw('lead') * (max - min)) * interval);
          }
          const result = { ...(await lane.run(plan)), draw: `${name}/${l}/${i}` };
          results.push(result);
          done += 1;
          options.onResult?.(result, done);
        }
      } finally {
        await lane.stop();
      }
      return results;
    }),
  );
  return perLane.flat();
}
