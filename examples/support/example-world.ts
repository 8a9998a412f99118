import type { SandboxWorld } from '@sslclick/sandbox';
import { createSendGridLinks, type SendGridLinks } from '@sslclick/sendgrid';
import type { ExampleWorld } from './run-example.js';

/**
 * The parts of an example every sandbox world gives the same way: the host, SendGrid, the
 * verifier's settings, a tracked link from a "sent message", and how to click it.
 */
export function sandboxFields(world: SandboxWorld): Pick<ExampleWorld, 'hostname' | 'sendgrid' | 'verification' | 'sampleLink' | 'click' | 'close'> {
  return {
    hostname: world.hostname,
    sendgrid: createSendGridLinks(world.sendgrid),
    verification: world.verification,
    sampleLink: world.sampleLink,
    click: { resolver: world.verification.resolver, ca: world.verification.ca, port: world.verification.ports.https },
    close: () => world.close(),
  };
}

/** The SendGrid side of a live run: link brandings when `SENDGRID_API_KEY` is set. */
export function liveSendGrid(): SendGridLinks | undefined {
  return process.env.SENDGRID_API_KEY ? createSendGridLinks({ ...(process.env.SENDGRID_SUBUSER ? { subuser: process.env.SENDGRID_SUBUSER } : {}) }) : undefined;
}

/** The branded host of a live run, from `SSLCLICK_HOSTNAME`. */
export function liveHostname(variable: string): string {
  const hostname = process.env.SSLCLICK_HOSTNAME;
  if (!hostname) throw new Error(`${variable} is set, so this runs against the real vendor: set SSLCLICK_HOSTNAME to your branded link host (e.g. url1234.example.com).`);
  return hostname;
}

/** Drops undefined values, so optional settings read from the environment stay absent. */
export function withOptional<Values extends Record<string, unknown>>(values: Values): Partial<{ [Key in keyof Values]: Exclude<Values[Key], undefined> }> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<{ [Key in keyof Values]: Exclude<Values[Key], undefined> }>;
}
