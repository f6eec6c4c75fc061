/**
 * The resilience policy on its own, with calls the test controls: when the breaker opens and
 * closes, what is retried, what the bulkhead and the deadline do. The same policies run against
 * the real PostgreSQL and Redis in the other tests of this folder.
 */
import { breakerSettingsSchema, dependencyPolicySchema } from "../../src/config/settings";
import { AppError } from "../../src/http/errors";
import { postgresClassifier, redisClassifier } from "../../src/resilience/classify";
import { ResiliencePolicy, type PolicyObserver } from "../../src/resilience/policy";

type Input = Parameters<typeof dependencyPolicySchema.parse>[0];

const transient = () => Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
const uniqueViolation = () =>
  Object.assign(new Error("duplicate key value violates unique constraint"), { code: "23505" });
const statementTimeout = () =>
  Object.assign(new Error("canceling statement due to statement timeout"), { code: "57014" });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function policyWith(settings: Input, observer?: PolicyObserver) {
  return new ResiliencePolicy(
    "postgresWriter",
    dependencyPolicySchema.parse(settings),
    postgresClassifier,
    observer,
  );
}

/** Settings where only the rule under test can open the breaker. */
const quiet = {
  failureRateThreshold: 1,
  slowCallRateThreshold: 1,
  consecutiveFailures: 1_000,
  minimumCalls: 1_000,
};

async function run(policy: ResiliencePolicy, outcome: "ok" | "fail", times = 1) {
  for (let i = 0; i < times; i++) {
    await policy
      .execute(async () => {
        if (outcome === "fail") throw transient();
        return "ok";
      })
      .catch(() => undefined);
  }
}

let now = Date.now();
beforeEach(() => {
  now = Date.now();
  jest.spyOn(Date, "now").mockImplementation(() => now);
});
afterEach(() => jest.restoreAllMocks());

describe("the breaker opens", () => {
  it("on the failure rate once the window holds the minimum number of calls, not before", async () => {
    const policy = policyWith({
      timeoutMs: 1_000,
      breaker: { ...quiet, failureRateThreshold: 0.5, minimumCalls: 10 },
    });

    await run(policy, "ok", 4);
    await run(policy, "fail", 4);
    const belowMinimum = policy.state;
    await run(policy, "ok", 1);
    await run(policy, "fail", 1);

    expect(belowMinimum).toBe("closed");
    expect(policy.state).toBe("open");
  });

  it("on the slow-call rate, and the slow calls still return their results", async () => {
    const policy = policyWith({
      timeoutMs: 1_000,
      breaker: { ...quiet, slowCallRateThreshold: 0.5, minimumCalls: 4, slowCallDurationMs: 20 },
    });
    const slowCall = () =>
      policy.execute(async () => {
        await sleep(40);
        return "slow but fine";
      });

    await run(policy, "ok", 2);
    const first = await slowCall();
    const stateAfterOne = policy.state;
    const second = await slowCall();

    expect([first, second]).toEqual(["slow but fine", "slow but fine"]);
    expect(stateAfterOne).toBe("closed");
    expect(policy.state).toBe("open");
  });

  it("after consecutive failures, whatever the rate", async () => {
    const policy = policyWith({ timeoutMs: 1_000, breaker: { ...quiet, consecutiveFailures: 3 } });

    await run(policy, "ok", 50);
    await run(policy, "fail", 2);
    await run(policy, "ok", 1);
    await run(policy, "fail", 2);
    const afterInterruptedRun = policy.state;
    await run(policy, "fail", 1);

    expect(afterInterruptedRun).toBe("closed");
    expect(policy.state).toBe("open");
  });

  it("only on failures that are the dependency's: client mistakes and statement timeouts do not count", async () => {
    const policy = policyWith({
      timeoutMs: 1_000,
      breaker: { ...quiet, consecutiveFailures: 2, minimumCalls: 2, failureRateThreshold: 0.5 },
    });

    for (const error of [uniqueViolation, statementTimeout, uniqueViolation, statementTimeout]) {
      await policy.execute(() => Promise.reject(error())).catch(() => undefined);
    }

    expect(policy.state).toBe("closed");
  });

  it("not on outcomes that left the window, however long the pause (unlike SamplingBreaker)", async () => {
    const policy = policyWith({
      timeoutMs: 1_000,
      breaker: { ...quiet, failureRateThreshold: 0.5, minimumCalls: 20, windowMs: 10_000 },
    });

    await run(policy, "fail", 19);
    now += 60_000;
    await run(policy, "fail", 1);

    expect(policy.state).toBe("closed");
  });
});

describe("an open breaker", () => {
  it("refuses at once, without calling, and says when to come back", async () => {
    const policy = policyWith({
      timeoutMs: 1_000,
      breaker: { ...quiet, consecutiveFailures: 1, openStateMs: 30_000 },
    });
    await run(policy, "fail", 1);
    now += 10_000;
    let called = false;

    const refused = await policy
      .execute(async () => {
        called = true;
      })
      .catch((err: unknown) => err);

    expect(called).toBe(false);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({
      status: 503,
      code: "dependency_unavailable",
      retryAfterSeconds: 20,
    });
  });
});

describe("half-open", () => {
  const settings = {
    timeoutMs: 1_000,
    breaker: {
      ...quiet,
      consecutiveFailures: 1,
      openStateMs: 1_000,
      halfOpenMaxProbes: 2,
      halfOpenSuccessesToClose: 3,
    },
  };

  /** A call that stays in flight until `finish` is called. */
  function heldCall(policy: ResiliencePolicy) {
    let finish!: (outcome: "ok" | "fail") => void;
    const settled = policy
      .execute(
        () =>
          new Promise<string>((resolve, reject) => {
            finish = (outcome) => (outcome === "ok" ? resolve("ok") : reject(transient()));
          }),
      )
      .then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
    return { finish: (outcome: "ok" | "fail") => finish(outcome), settled };
  }

  const refusedNow = async (policy: ResiliencePolicy) => {
    const result = await policy.execute(async () => "ran").catch((err: unknown) => err);
    return result instanceof AppError && result.code === "dependency_unavailable";
  };

  it("lets one probe through, refuses the callers meanwhile, then at most halfOpenMaxProbes until enough succeeded", async () => {
    const policy = policyWith(settings);
    await run(policy, "fail", 1);
    now += 1_000;

    const probe = heldCall(policy);
    const duringProbe = { state: policy.state, refused: await refusedNow(policy) };
    probe.finish("ok");
    await probe.settled;
    const second = heldCall(policy);
    const third = heldCall(policy);
    const beyondMaxProbes = await refusedNow(policy);
    second.finish("ok");
    await second.settled;
    const stateBeforeLast = policy.state;
    third.finish("ok");
    await third.settled;

    expect(duringProbe).toEqual({ state: "half-open", refused: true });
    expect(beyondMaxProbes).toBe(true);
    expect(stateBeforeLast).toBe("half-open");
    expect(policy.state).toBe("closed");
    expect(await policy.execute(async () => "ran")).toBe("ran");
  });

  it("opens again when a probe fails", async () => {
    const policy = policyWith(settings);
    await run(policy, "fail", 1);
    now += 1_000;

    await run(policy, "ok", 1); // the first probe
    const afterFirstProbe = policy.state;
    await run(policy, "fail", 1);

    expect(afterFirstProbe).toBe("half-open");
    expect(policy.state).toBe("open");
    expect(await refusedNow(policy)).toBe(true);
  });

  it("reports every change of state, in order", async () => {
    const states: string[] = [];
    const policy = policyWith(settings, {
      stateChanged: (_dep, state) => states.push(state),
      called: () => undefined,
      rejected: () => undefined,
      retried: () => undefined,
    });

    await run(policy, "fail", 1);
    now += 1_000;
    await run(policy, "ok", 3);

    expect(states).toEqual(["open", "half-open", "closed"]);
  });
});

describe("retries", () => {
  const settings = {
    timeoutMs: 1_000,
    retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 },
  };

  async function attemptsFor(error: () => Error, idempotent: boolean): Promise<number> {
    const policy = policyWith(settings);
    let attempts = 0;
    await policy
      .execute(
        async () => {
          attempts++;
          throw error();
        },
        { idempotent },
      )
      .catch(() => undefined);
    return attempts;
  }

  const sqlState = (code: string) => () => Object.assign(new Error(code), { code });
  it.each([
    ["a reset connection", true, 3, transient],
    ["a reset connection", false, 1, transient],
    ["a serialization failure", true, 3, sqlState("40001")],
    ["a deadlock", true, 3, sqlState("40P01")],
    ["PostgreSQL shutting down (57P01)", true, 3, sqlState("57P01")],
    ["a connection exception (08006)", true, 3, sqlState("08006")],
    ["a pool connect timeout", true, 3, () => new Error("timeout exceeded when trying to connect")],
    ["a statement timeout", true, 1, statementTimeout],
    ["node-postgres' query_timeout", true, 1, () => new Error("Query read timeout")],
    ["a unique violation", true, 1, uniqueViolation],
    ["a syntax error", true, 1, sqlState("42601")],
  ])("%s, idempotent %s: %i attempt(s)", async (_name, idempotent, expected, error) => {
    expect(await attemptsFor(error, idempotent)).toBe(expected);
  });

  it("stop at the first success and return its result", async () => {
    const policy = policyWith(settings);
    let attempts = 0;

    const result = await policy.execute(
      async () => {
        if (++attempts < 2) throw transient();
        return "second time";
      },
      { idempotent: true },
    );

    expect([result, attempts]).toEqual(["second time", 2]);
  });

  it("wait a full-jitter exponential delay: within [0, initial × 2^n), capped", async () => {
    const delays: number[][] = [];
    const policy = policyWith(
      {
        timeoutMs: 1_000,
        breaker: quiet,
        retry: { maxAttempts: 4, initialDelayMs: 8, maxDelayMs: 20 },
      },
      {
        stateChanged: () => undefined,
        called: () => undefined,
        rejected: () => undefined,
        retried: (_dep, attempt, delayMs) => delays.push([attempt, delayMs]),
      },
    );

    for (let i = 0; i < 20; i++) {
      await policy.execute(() => Promise.reject(transient()), { idempotent: true }).catch(() => 0);
    }

    const bounds: Record<number, number> = { 1: 8, 2: 16, 3: 20 };
    expect(delays).toHaveLength(60);
    for (const [attempt, delayMs] of delays) {
      expect(delayMs).toBeGreaterThanOrEqual(0);
      expect(delayMs).toBeLessThan(bounds[attempt]);
    }
  });
});

describe("Redis errors", () => {
  const classified = (err: unknown) => [
    redisClassifier.isFailure(err),
    redisClassifier.isRetryable(err),
  ];

  it("counts connection failures and timeouts against Redis; retries connection failures only", () => {
    expect(classified(new Error("Connection is closed."))).toEqual([true, true]);
    expect(
      classified(new Error("Stream isn't writeable and enableOfflineQueue options is false")),
    ).toEqual([true, true]);
    expect(classified(new Error("Command timed out"))).toEqual([true, false]);
  });

  it("does not count a rate-limit decision (not an Error) against Redis", () => {
    expect(classified({ remainingPoints: 0, msBeforeNext: 1000 })).toEqual([false, false]);
  });
});

describe("the bulkhead", () => {
  it("refuses past its queue at once, with 503 overloaded and Retry-After", async () => {
    const policy = policyWith({ timeoutMs: 5_000, bulkhead: { maxConcurrent: 1, maxQueue: 1 } });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const running = policy.execute(() => gate);
    const queued = policy.execute(async () => "queued ran");

    const refused = await policy.execute(async () => "never").catch((err: unknown) => err);
    release();

    expect(refused).toMatchObject({ status: 503, code: "overloaded", retryAfterSeconds: 1 });
    await running;
    expect(await queued).toBe("queued ran");
  });
});

describe("the deadline", () => {
  it("answers 503 timeout when a call does not finish, instead of waiting for it", async () => {
    jest.restoreAllMocks(); // real time: cockatiel's timer
    const policy = policyWith({
      timeoutMs: 50,
      breaker: breakerSettingsSchema.parse({}),
    });

    const answer = await policy
      .execute(() => new Promise(() => undefined))
      .catch((err: unknown) => err);

    expect(answer).toMatchObject({ status: 503, code: "timeout", retryAfterSeconds: 2 });
  });
});
