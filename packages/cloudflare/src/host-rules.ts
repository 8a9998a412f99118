import { SslClickError, type RunOptions } from '@sslclick/core';
import type { CloudflareConnection } from './cloudflare-client.js';
import { cacheRuleEditPermissions, type CloudflareTokenPermission } from './error-translation.js';

/** The two rule kinds sslclick adds for a branded host. */
export type HostRuleKind = 'configuration' | 'cache';

/** A rule as sslclick wants it; compared field by field with what is there. */
export interface DesiredRule {
  kind: HostRuleKind;
  phase: 'http_config_settings' | 'http_request_cache_settings';
  action: 'set_config' | 'set_cache_settings';
  expression: string;
  action_parameters: Record<string, unknown>;
  /**
   * Marks the rule as ours: sslclick finds its rules by this exact text (alone, or followed by a
   * note of its own, see `note`), never by position.
   */
  description: string;
  /**
   * sslclick's note written after `description` (one space between), e.g. the certificate pack
   * order marker on the Configuration Rule (pack-order-marker.ts). Undefined: whatever note the
   * rule has is kept, and written back when the rule is repaired.
   */
  note?: string;
  enabled: true;
}

/** A phase entrypoint as read: its id and rules (undefined when the zone has none yet). */
export interface PhaseEntrypoint {
  id: string;
  rules: Array<Record<string, unknown> & { id: string }>;
  /** The ruleset's description: `createdBySslclick` when sslclick created the entrypoint. */
  description?: string;
}

/**
 * The description sslclick gives a phase entrypoint it creates. Kept on the ruleset itself, so any
 * later run (not just the one that created it) knows the entrypoint is sslclick's, and destroy
 * removes it once it holds no rule; an entrypoint that was there before never carries it.
 */
export const createdBySslclick = 'Created by sslclick (SendGrid click tracking); deleted by sslclick once it holds no rule';

/** What `apply` does with one rule. */
export interface RuleDecision {
  desired: DesiredRule;
  action: 'none' | 'create' | 'create-entrypoint' | 'update';
  /** The existing rule of ours, when there is one. */
  existing?: Record<string, unknown> & { id: string };
  /** The note after the existing rule's description, when it has one. */
  existingNote?: string;
  /** Why an `update`: the rule drifted (its action, expression, parameters or switch), or only its note changes. */
  reason?: 'drift' | 'note';
  entrypoint?: PhaseEntrypoint;
}

const permissions: Record<HostRuleKind, { read: CloudflareTokenPermission; edit: CloudflareTokenPermission | readonly CloudflareTokenPermission[] }> = {
  configuration: { read: 'Zone > Config Rules > Read', edit: 'Zone > Config Rules > Edit' },
  cache: { read: 'Zone > Cache Rules > Read', edit: cacheRuleEditPermissions },
};

/** The Configuration Rule: SSL mode Full for the host only (SendGrid's origin has a *.sendgrid.net certificate, so Strict fails with 526). */
export function configurationRule(hostname: string): DesiredRule {
  return {
    kind: 'configuration',
    phase: 'http_config_settings',
    action: 'set_config',
    expression: `http.host eq "${hostname}"`,
    action_parameters: { ssl: 'full' },
    description: `sslclick: SSL Full for ${hostname} (SendGrid click tracking)`,
    enabled: true,
  };
}

/** The Cache Rule: never cache the host, so every click and open reaches SendGrid. */
export function cacheBypassRule(hostname: string): DesiredRule {
  return {
    kind: 'cache',
    phase: 'http_request_cache_settings',
    action: 'set_cache_settings',
    expression: `http.host eq "${hostname}"`,
    action_parameters: { cache: false },
    description: `sslclick: bypass cache for ${hostname} (SendGrid click tracking)`,
    enabled: true,
  };
}

/** Reads a phase entrypoint; a zone that has none yet answers 404, which is `undefined` here. */
export async function readEntrypoint(connection: CloudflareConnection, zoneId: string, kind: HostRuleKind, phase: DesiredRule['phase'], run?: RunOptions): Promise<PhaseEntrypoint | undefined> {
  try {
    const ruleset = await connection.call(
      `rulesets.phases.get(${phase})`,
      permissions[kind].read,
      (options) => connection.client.rulesets.phases.get(phase, { zone_id: zoneId }, options),
      run,
    );
    return {
      id: ruleset.id,
      rules: (ruleset.rules ?? []) as unknown as PhaseEntrypoint['rules'],
      ...(typeof ruleset.description === 'string' ? { description: ruleset.description } : {}),
    };
  } catch (error) {
    if (SslClickError.isInstance(error) && error.code === 'NOT_FOUND') return undefined;
    throw error;
  }
}

/**
 * Whether `actual` holds everything in `wanted`, comparing only the fields `wanted` names (at
 * every depth). Cloudflare may echo a rule with fields sslclick never sent (defaults filled in,
 * in its own key order); those are not drift, and "repairing" them would write on every run.
 */
function holdsWanted(actual: unknown, wanted: unknown): boolean {
  if (typeof wanted !== 'object' || wanted === null) return Object.is(actual, wanted);
  if (typeof actual !== 'object' || actual === null) return false;
  if (Array.isArray(wanted)) return Array.isArray(actual) && actual.length === wanted.length && wanted.every((item, index) => holdsWanted(actual[index], item));
  return Object.entries(wanted).every(([key, value]) => holdsWanted((actual as Record<string, unknown>)[key], value));
}

/** The note that starts every note sslclick writes after a rule's description. */
const notePrefix = '[sslclick ';

/** The note after `desired`'s description in `rule`'s description: '' when none, undefined when the rule is not ours. */
function noteIn(rule: Record<string, unknown>, desired: DesiredRule): string | undefined {
  const description = rule.description;
  if (typeof description !== 'string') return undefined;
  if (description === desired.description) return '';
  return description.startsWith(`${desired.description} ${notePrefix}`) ? description.slice(desired.description.length + 1) : undefined;
}

/** The description sslclick writes for `desired`: its description, then its note. */
export function writtenDescription(desired: DesiredRule): string {
  return desired.note ? `${desired.description} ${desired.note}` : desired.description;
}

/** Our rule in an entrypoint, found by its description (with or without sslclick's note after it). */
export function findOurRule(entrypoint: PhaseEntrypoint | undefined, desired: DesiredRule): (Record<string, unknown> & { id: string }) | undefined {
  return entrypoint?.rules.find((rule) => noteIn(rule, desired) !== undefined);
}

/**
 * Compares what is there with what we want: nothing to do, create (in a new entrypoint or the
 * existing one), or repair ours. Only the fields sslclick sets are compared.
 */
export function decideRule(entrypoint: PhaseEntrypoint | undefined, desired: DesiredRule): RuleDecision {
  const existing = findOurRule(entrypoint, desired);
  if (!entrypoint) return { desired, action: 'create-entrypoint' };
  if (!existing) return { desired, action: 'create', entrypoint };
  const existingNote = noteIn(existing, desired) ?? '';
  const noted = existingNote === '' ? {} : { existingNote };
  const drifted =
    existing.action !== desired.action ||
    existing.expression !== desired.expression ||
    existing.enabled === false ||
    !holdsWanted(existing.action_parameters, desired.action_parameters);
  // No note asked for: the rule's own note stays, and a repair writes it back.
  const kept: DesiredRule = desired.note === undefined ? { ...desired, ...(existingNote === '' ? {} : { note: existingNote }) } : desired;
  const noteChanges = desired.note !== undefined && desired.note !== existingNote;
  if (drifted) return { desired: kept, action: 'update', reason: 'drift', existing, ...noted, entrypoint };
  if (noteChanges) return { desired: kept, action: 'update', reason: 'note', existing, ...noted, entrypoint };
  return { desired: kept, action: 'none', existing, ...noted, entrypoint };
}

function ruleBody(desired: DesiredRule): { action: DesiredRule['action']; expression: string; action_parameters: Record<string, unknown>; description: string; enabled: boolean } {
  return { action: desired.action, expression: desired.expression, action_parameters: desired.action_parameters, description: writtenDescription(desired), enabled: true };
}

/** A ruleset as a create answers it, in the fields `applyRuleDecision` reads. */
interface RulesetAnswer {
  id: string;
  rules: Array<{ id: string; description?: unknown; expression?: unknown }>;
}

function toRulesetAnswer(ruleset: { id: string; rules?: unknown }): RulesetAnswer {
  return { id: ruleset.id, rules: Array.isArray(ruleset.rules) ? (ruleset.rules as RulesetAnswer['rules']) : [] };
}

/** The rule we sent, in a ruleset: same description (how we mark ours, with its note) and same expression. */
function sentRule(ruleset: RulesetAnswer | undefined, desired: DesiredRule): RulesetAnswer['rules'][number] | undefined {
  return ruleset?.rules.find((rule) => rule.description === writtenDescription(desired) && rule.expression === desired.expression);
}

/**
 * The phase entrypoint creations of one connection (one adapter), keyed `zoneId phase`: the
 * hosts of one zone applied at once all find the zone without an entrypoint, and without this
 * each would send its own create, all but one refused (400) and then read and retried. The first
 * create is shared instead; the others wait for it and add their rule to the entrypoint it made.
 * A creation that failed is dropped; one whose entrypoint was deleted since is dropped when
 * adding to it answers 404, or when sslclick deletes it.
 */
const entrypointCreations = new WeakMap<CloudflareConnection, Map<string, Promise<RulesetAnswer>>>();

function entrypointCreationsOf(connection: CloudflareConnection): Map<string, Promise<RulesetAnswer>> {
  let creations = entrypointCreations.get(connection);
  if (!creations) {
    creations = new Map();
    entrypointCreations.set(connection, creations);
  }
  return creations;
}

/**
 * Carries out a decision, one rule at a time: adds our rule at the end of the phase entrypoint
 * (creating the entrypoint, holding only our rule, when the zone has none), or edits our own rule
 * in place. Never replaces the phase (`PUT …/entrypoint`), which would delete the customer's
 * other rules. Returns the rule's `rulesetId/ruleId`.
 *
 * Both creates are not idempotent: an attempt whose answer was lost (a time-out) may have been
 * carried out, and sending it again would add a second rule (or fail, the entrypoint existing).
 * So before a retry the phase entrypoint is read again, and if our rule is there the create is
 * taken as done.
 */
export async function applyRuleDecision(connection: CloudflareConnection, zoneId: string, decision: RuleDecision, run?: RunOptions): Promise<string> {
  const { desired } = decision;
  const permission = permissions[desired.kind].edit;
  const body = ruleBody(desired);
  const recover = async (): Promise<RulesetAnswer | undefined> => {
    const entrypoint = await readEntrypoint(connection, zoneId, desired.kind, desired.phase, run);
    return entrypoint && sentRule(entrypoint, desired) ? toRulesetAnswer(entrypoint) : undefined;
  };
  switch (decision.action) {
    case 'none':
      return `${decision.entrypoint?.id}/${decision.existing?.id}`;
    case 'create-entrypoint': {
      const creations = entrypointCreationsOf(connection);
      const key = `${zoneId} ${desired.phase}`;
      const shared = creations.get(key);
      if (shared) {
        // Another host of this adapter creates (or created) the zone's entrypoint of this phase:
        // add our rule to it rather than race it with a second create that Cloudflare refuses.
        const created = await shared.catch(() => undefined);
        if (created) {
          try {
            return await applyRuleDecision(connection, zoneId, decideRule({ id: created.id, rules: created.rules as PhaseEntrypoint['rules'] }, desired), run);
          } catch (error) {
            // Deleted since (a destroy, the customer): forget it and create the entrypoint anew.
            if (!SslClickError.isInstance(error) || error.code !== 'NOT_FOUND') throw error;
            if (creations.get(key) === shared) creations.delete(key);
          }
        }
      }
      const creation = connection.call(
        `rulesets.create(${desired.phase})`,
        permission,
        (options) =>
          connection.client.rulesets
            .create({ zone_id: zoneId, kind: 'zone', phase: desired.phase, name: 'default', description: createdBySslclick, rules: [body as never] }, options)
            .then((answer) => toRulesetAnswer(answer as { id: string; rules?: unknown })),
        run,
        { recover },
      );
      creations.set(key, creation);
      creation.catch(() => {
        if (creations.get(key) === creation) creations.delete(key);
      });
      let ruleset: RulesetAnswer;
      try {
        ruleset = await creation;
      } catch (error) {
        // Another run (a second sslclick, the customer in the dashboard) created the phase
        // entrypoint meanwhile, so Cloudflare refuses a second one: add our rule to theirs.
        const entrypoint = await readEntrypoint(connection, zoneId, desired.kind, desired.phase, run);
        if (!entrypoint) throw error;
        return applyRuleDecision(connection, zoneId, decideRule(entrypoint, desired), run);
      }
      return `${ruleset.id}/${sentRule(ruleset, desired)?.id ?? ''}`;
    }
    case 'create': {
      const entrypoint = decision.entrypoint as PhaseEntrypoint;
      const ruleset = await connection.call(
        `rulesets.rules.create(${desired.phase})`,
        permission,
        (options) =>
          connection.client.rulesets.rules
            .create(entrypoint.id, { zone_id: zoneId, ...(body as object) } as never, options)
            .then((answer) => toRulesetAnswer({ id: entrypoint.id, rules: (answer as { rules?: unknown }).rules })),
        run,
        { recover },
      );
      return `${ruleset.id}/${sentRule(ruleset, desired)?.id ?? ''}`;
    }
    case 'update': {
      const entrypoint = decision.entrypoint as PhaseEntrypoint;
      const existing = decision.existing as { id: string };
      await connection.call(
        `rulesets.rules.edit(${desired.phase})`,
        permission,
        (options) => connection.client.rulesets.rules.edit(existing.id, { ruleset_id: entrypoint.id, zone_id: zoneId, ...(body as object) } as never, options),
        run,
      );
      return `${entrypoint.id}/${existing.id}`;
    }
  }
}

/** Deletes our rule from its entrypoint; a rule already gone is fine. */
export async function deleteOurRule(connection: CloudflareConnection, zoneId: string, desired: DesiredRule, entrypointId: string, ruleId: string, run?: RunOptions): Promise<void> {
  try {
    await connection.call(
      `rulesets.rules.delete(${desired.phase})`,
      permissions[desired.kind].edit,
      (options) => connection.client.rulesets.rules.delete(ruleId, { ruleset_id: entrypointId, zone_id: zoneId }, options),
      run,
    );
  } catch (error) {
    if (SslClickError.isInstance(error) && error.code === 'NOT_FOUND') return;
    throw error;
  }
}

/**
 * Deletes the phase entrypoint of `desired`'s phase when sslclick created it (its description says
 * so) and it now holds no rule: destroy leaves the zone as it was. An entrypoint that was there
 * before, or that holds anyone's rule, stays. Read again right before the delete, so a rule added
 * meanwhile keeps it. Returns whether it deleted one.
 */
export async function deleteOurEmptyEntrypoint(connection: CloudflareConnection, zoneId: string, desired: DesiredRule, run?: RunOptions): Promise<boolean> {
  const entrypoint = await readEntrypoint(connection, zoneId, desired.kind, desired.phase, run);
  if (!entrypoint || entrypoint.description !== createdBySslclick || entrypoint.rules.length > 0) return false;
  try {
    await connection.call(
      `rulesets.delete(${desired.phase})`,
      permissions[desired.kind].edit,
      (options) => connection.client.rulesets.delete(entrypoint.id, { zone_id: zoneId }, options),
      run,
    );
  } catch (error) {
    if (SslClickError.isInstance(error) && error.code === 'NOT_FOUND') return false;
    throw error;
  } finally {
    // Whatever its answer, the entrypoint may be gone: a later create must not add to it.
    entrypointCreationsOf(connection).delete(`${zoneId} ${desired.phase}`);
  }
  return true;
}
