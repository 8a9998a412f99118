import type { Plan, ProxyRequest, RunOptions } from '@sslclick/core';
import { throwIfAborted } from '@sslclick/core/adapter';
import { provider, type PerHostContext } from './per-host-context.js';
import { normalizeRequest, plannedChanges } from './planned-changes.js';
import { requireActiveZone } from './zone-lookup.js';

/** Builds the per-host mode's `plan`: the changes `apply` would make, read and never written. */
export function createPerHostPlan(context: PerHostContext): (input: ProxyRequest, run?: RunOptions) => Promise<Plan> {
  const { connection, changeSettings, zoneLookups, observeRequest } = context;

  async function plan(input: ProxyRequest, run: RunOptions = {}): Promise<Plan> {
    const request = normalizeRequest(input);
    throwIfAborted(run.signal, 'plan');
    const zone = await requireActiveZone(connection, request.hostname, run, zoneLookups(run));
    const observation = await observeRequest(request, zone, run);
    const { changes, warnings } = plannedChanges(request, observation, changeSettings);
    return { provider, hostname: request.hostname, changes, warnings };
  }

  return plan;
}
