import { type Employee, newEmployeeId, newPhotoKey } from '@empdir/shared';
import type { AppDeps } from '../src/app-deps.js';
import { loadConfig } from '../src/config.js';
import type { InstanceInfoView } from '../src/info/instance-info.js';
import { createLogger } from '../src/log.js';
import { serviceDeps } from '../src/service-deps.js';
import type { CpuStress, StressMinutes } from '../src/stress/cpu-stress.js';
import { FAKE_CLIENT_ID, FAKE_ISSUER, FakeOidc } from './fake-oidc.js';
import { MemoryEmployeeStore } from './memory-employee-store.js';
import { MemoryPhotoStore } from './memory-photo-store.js';

export const TEST_ENV = {
  TABLE_NAME: 'Employees',
  PHOTOS_BUCKET: 'employee-photos',
  AWS_REGION: 'us-east-1',
  SESSION_SECRET: 'test-secret-test-secret-test-secret-0123',
  OIDC_ISSUER: FAKE_ISSUER,
  OIDC_CLIENT_ID: FAKE_CLIENT_ID,
} as const;

/** A CPU stress that records what it was asked and burns nothing. */
export class FakeCpuStress implements CpuStress {
  readonly starts: StressMinutes[] = [];
  untilMs: number | undefined;
  stopped = false;
  constructor(
    readonly available: boolean,
    private readonly now: () => number,
  ) {}
  start(minutes: StressMinutes) {
    if (this.untilMs !== undefined) return { started: false as const, untilMs: this.untilMs };
    this.starts.push(minutes);
    this.untilMs = this.now() + minutes * 60_000;
    return { started: true as const, untilMs: this.untilMs };
  }
  runningUntilMs() {
    return this.untilMs;
  }
  async stop() {
    this.stopped = true;
    this.untilMs = undefined;
  }
}

export interface TestDeps extends AppDeps {
  readonly employees: MemoryEmployeeStore;
  readonly photos: MemoryPhotoStore;
  readonly stress: FakeCpuStress;
  readonly oidc: FakeOidc;
  /** Every log line written, parsed. */
  readonly logLines: Record<string, unknown>[];
  /** Moves the injected clock forward. */
  advance(ms: number): void;
  shuttingDown: boolean;
  instance: InstanceInfoView;
  /** Puts an employee straight into the store (with a stored photo when withPhoto). */
  seed(fields?: Partial<Employee> & { withPhoto?: boolean }): Employee;
}

/** Fakes for createApp(fakes).request(...): in-memory stores, a fixed clock, captured logs. */
export function createTestDeps(env: Record<string, string> = {}): TestDeps {
  let nowMs = Date.parse('2026-01-15T12:00:00.000Z');
  const now = () => nowMs;
  const logLines: Record<string, unknown>[] = [];
  // A plain object with write(): pino calls it synchronously, so lines are there at once.
  const sink = { write: (line: string) => void logLines.push(JSON.parse(line)) };
  const config = loadConfig({ ...TEST_ENV, LOG_LEVEL: 'debug', ...env });
  const logger = createLogger(config.logLevel, sink);
  const employees = new MemoryEmployeeStore();
  const photos = new MemoryPhotoStore(now, config.photoUrlTtlSeconds);
  const deps: TestDeps = {
    ...serviceDeps({ config, logger, now, employees, photos }),
    instanceInfo: { get: async () => deps.instance },
    instance: { kind: 'not-ec2' },
    stress: new FakeCpuStress(!config.lambdaFunctionName, now),
    oidc: new FakeOidc(),
    isShuttingDown: () => deps.shuttingDown,
    shuttingDown: false,
    logLines,
    advance(ms) {
      nowMs += ms;
    },
    seed({ withPhoto, ...fields } = {}) {
      const at = new Date(nowMs).toISOString();
      const employee: Employee = {
        id: newEmployeeId(),
        fullName: `Employee ${employees.items.size + 1}`,
        location: 'Seattle',
        jobTitle: 'Engineer',
        badges: [],
        createdAt: at,
        updatedAt: at,
        version: 1,
        ...fields,
      };
      if (withPhoto) {
        employee.photoKey = newPhotoKey();
        photos.objects.set(employee.photoKey, new Uint8Array([1]));
      }
      employees.items.set(employee.id, employee);
      return employee;
    },
  };
  return deps;
}
