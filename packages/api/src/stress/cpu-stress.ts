import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';

/** The only durations the info page offers, as in the original sample. */
export const STRESS_MINUTES = [1, 5, 10] as const;
export type StressMinutes = (typeof STRESS_MINUTES)[number];

export type StressStart = { started: true; untilMs: number } | { started: false; untilMs: number };

/** Loads every core for a bounded time, for auto-scaling demos. One run at a time. */
export interface CpuStress {
  readonly available: boolean;
  start(minutes: StressMinutes): StressStart;
  /** When the current run ends (epoch ms), or undefined when idle. */
  runningUntilMs(): number | undefined;
  stop(): Promise<void>;
}

// Runs inside each worker: spin until the deadline; the main thread also terminates it then.
const BUSY_LOOP = `
const { workerData } = require('node:worker_threads');
const end = Date.now() + workerData.durationMs;
let x = 0;
while (Date.now() < end) { for (let i = 0; i < 100000; i++) x = (x + i) % 7919; }
`;

export interface WorkerCpuStressOptions {
  readonly now: () => number;
  readonly logger: Logger;
  readonly threads?: number;
  /** Only tests shorten a minute. */
  readonly minuteMs?: number;
}

export function createWorkerCpuStress(options: WorkerCpuStressOptions): CpuStress {
  const threads = options.threads ?? availableParallelism();
  const minuteMs = options.minuteMs ?? 60_000;
  let workers: Worker[] = [];
  let untilMs: number | undefined;
  let timer: NodeJS.Timeout | undefined;

  async function stop(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const running = workers;
    workers = [];
    untilMs = undefined;
    await Promise.all(running.map((worker) => worker.terminate()));
  }

  return {
    available: true,
    start(minutes) {
      if (untilMs !== undefined) return { started: false, untilMs };
      const durationMs = minutes * minuteMs;
      untilMs = options.now() + durationMs;
      workers = Array.from({ length: threads }, () => {
        const worker = new Worker(BUSY_LOOP, { eval: true, workerData: { durationMs } });
        worker.unref();
        worker.on('error', (err) => options.logger.error({ err }, 'CPU stress worker failed'));
        return worker;
      });
      timer = setTimeout(() => void stop(), durationMs);
      timer.unref();
      options.logger.warn({ minutes, threads }, 'CPU stress started');
      return { started: true, untilMs };
    },
    runningUntilMs: () => untilMs,
    stop,
  };
}

/** For AWS Lambda, where burning the CPU only burns money. */
export const unavailableCpuStress: CpuStress = {
  available: false,
  start: () => {
    throw new Error('CPU stress is not available here');
  },
  runningUntilMs: () => undefined,
  stop: async () => {},
};
