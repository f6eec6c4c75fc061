/**
 * Fallbacks: a request answered in a degraded way says so, in `X-Degraded` (the kinds taken,
 * comma-separated), and every fallback counts in `dependency_fallbacks_total{kind}`.
 *
 * | kind               | taken when                                               |
 * | ------------------ | -------------------------------------------------------- |
 * | `cache-bypassed`   | Redis failed or its breaker is open: search went to PostgreSQL |
 * | `reader-fallback`  | the reader failed or its breaker is open: the read went to the writer |
 * | `stale`            | PostgreSQL could not answer a search: the last good cached answer was sent |
 * | `rate-limit-local` | Redis could not count: this replica's in-memory limiter decided |
 *
 * The fallbacks are taken deep in adapters and domain code that know nothing of the response;
 * the request's scope (an AsyncLocalStorage entered by the `observe` middleware) carries them
 * to the header, which is written with the response head.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export const FALLBACK_KINDS = [
  "cache-bypassed",
  "reader-fallback",
  "stale",
  "rate-limit-local",
] as const;
export type FallbackKind = (typeof FALLBACK_KINDS)[number];

const requestScope = new AsyncLocalStorage<Set<FallbackKind>>();

/** Runs `fn` (the rest of a request) in a scope whose fallbacks are collected in `taken`. */
export function collectFallbacks(taken: Set<FallbackKind>, fn: () => void): void {
  requestScope.run(taken, fn);
}

/** The `X-Degraded` value: the kinds taken, in the order of FALLBACK_KINDS. */
export function degradedHeader(taken: ReadonlySet<FallbackKind>): string {
  return FALLBACK_KINDS.filter((kind) => taken.has(kind)).join(", ");
}

export class Fallbacks {
  constructor(private readonly count: (kind: FallbackKind) => void) {}

  /** Counts a fallback and marks the current request (if any) as degraded by it. */
  record(kind: FallbackKind): void {
    this.count(kind);
    requestScope.getStore()?.add(kind);
  }
}
