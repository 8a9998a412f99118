import { redactError, redactValue } from './redact.js';
import type { ProgressEvent } from './types.js';

type Method = (...parameters: unknown[]) => unknown;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Run options whose `onProgress` hands the listener a redacted copy of each event. */
function withRedactedProgress(parameter: unknown): unknown {
  if (typeof parameter !== 'object' || parameter === null) return parameter;
  const onProgress = (parameter as { onProgress?: unknown }).onProgress;
  if (typeof onProgress !== 'function') return parameter;
  return { ...parameter, onProgress: (event: ProgressEvent) => (onProgress as (event: ProgressEvent) => void)(redactValue(event)) };
}

/**
 * The one place errors leave an adapter, a DNS provider or a SendGrid client: returns the object
 * with each method wrapped so that whatever it throws or rejects with passes through
 * `redactError` (every string reachable from the error, its `cause` chain and vendor bodies
 * included, at any depth), and so that each progress event it sends to an `onProgress` option is
 * a redacted copy. Adapters call it on the object they return.
 *
 * @example
 * return withRedactedErrors({ specificationVersion: 'v1', provider, capabilities, plan, apply, status, destroy } satisfies ProxyAdapter);
 */
export function withRedactedErrors<Target extends object>(target: Target): Target {
  const guarded: Record<string, unknown> = { ...(target as Record<string, unknown>) };
  for (const [name, value] of Object.entries(target)) {
    if (typeof value !== 'function') continue;
    const method = value as Method;
    guarded[name] = function guardedMethod(...parameters: unknown[]): unknown {
      let result: unknown;
      try {
        result = method.apply(target, parameters.map(withRedactedProgress));
      } catch (error) {
        throw redactError(error);
      }
      if (!isThenable(result)) return result;
      return Promise.resolve(result).catch((error: unknown) => {
        throw redactError(error);
      });
    };
  }
  return guarded as Target;
}
