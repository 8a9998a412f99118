/**
 * The `--report` page (issue 14 item 3) from an account result whose vendor strings try to inject
 * markup: a host name, check details, a blocking reason and the support request carrying tags,
 * attribute breakers and a closing `</textarea>`. Rendered by Debian's chromium, the page must
 * hold exactly the elements sslclick wrote, and show each of those strings as text.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccountHostResult, AccountSetupResult } from '@sslclick/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml, renderAccountReport } from '../src/account-report.js';
import { chromiumMissing, renderedDom } from './chromium.js';
import { hostRowsOf } from './report-dom.js';

const evil = `<img src=x onerror="document.title='pwned'">"'&amp;</textarea><script>document.title='pwned'</script>`;

function host(hostname: string, overrides: Partial<AccountHostResult> = {}): AccountHostResult {
  return {
    hostname,
    subuser: undefined,
    branding: { id: 1, hostname, domain: 'example.com', subdomain: 'url1', username: 'agency', userId: 1, valid: true, default: false, legacy: false, route: 'classic', origin: 'sendgrid.net' } as AccountHostResult['branding'],
    provider: 'cloudflare',
    decision: 'set-up',
    ready: true,
    plannedWrites: 3,
    checks: [
      { id: 'tls-valid', ok: true, detail: `served a trusted certificate ${evil}` },
      { id: 'reaches-sendgrid', ok: false, detail: `answered 404 ${evil}` },
      { id: 'http-still-served', ok: null, detail: 'not run' },
    ],
    ...overrides,
  };
}

const hostile = `url9.example.com${evil}`;
const result: AccountSetupResult = {
  dryRun: false,
  ready: false,
  plan: { hosts: 2, decisions: { 'auto-ssl': 0, 'already-ready': 0, 'set-up': 2, blocked: 0 }, vendors: [{ provider: 'cloudflare', budget: `cloudflare ${evil}`, hosts: 2, writes: 6, estimatedMs: 0 }], quotas: [], estimatedMs: 0, fits: true },
  accounts: [
    { account: 'agency', subuser: undefined, ready: true, hosts: [host('url1.example.com')], blockedBy: [], supportRequest: `Subject: Please enable SSL click tracking\n${evil}\nthe end` },
    {
      account: `tenant${evil}`,
      subuser: `tenant${evil}`,
      ready: false,
      hosts: [host(hostile, { ready: false, reason: `blocked because ${evil}` })],
      blockedBy: [{ hostname: hostile, reason: `blocked because ${evil}` }],
    },
  ],
};

describe('renderAccountReport', () => {
  it('escapes every character that could open markup or leave an attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    const html = renderAccountReport(result);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html.match(/<\/textarea>/g)).toHaveLength(1);
  });

  it('is one self-contained page: no script, and nothing loaded from elsewhere', () => {
    const benign = JSON.parse(JSON.stringify(result).split(JSON.stringify(evil).slice(1, -1)).join('plain')) as AccountSetupResult;
    const html = renderAccountReport(benign);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|src=|href=/i);
    expect(html.startsWith('<!doctype html>')).toBe(true);
  });
});

describe.skipIf(chromiumMissing !== undefined)(`the report in headless chromium${chromiumMissing ? ` (${chromiumMissing})` : ''}`, () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'sslclick-report-'));
  });
  afterAll(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('hostile vendor strings stay text: no element is injected, each string shows as written', async () => {
    const file = join(directory, 'hostile.html');
    await writeFile(file, renderAccountReport(result));
    const dom = await renderedDom(file);
    // The elements chromium built are those the renderer wrote: no <img>, no <script>, one textarea.
    expect(dom).not.toMatch(/<img|<script/i);
    expect(dom.match(/<textarea/g)).toHaveLength(1);
    expect(dom).toContain('<title>SendGrid SSL click tracking: account report</title>');
    // The hostile strings are on the page, as text.
    const shown = escapeHtml(evil).replace(/&quot;/g, '"').replace(/&#39;/g, "'");
    expect(dom).toContain(`served a trusted certificate ${shown}`);
    expect(dom).toContain(`blocked because ${shown}`);
    // The request to copy holds the hostile line as text, and the line after it.
    expect(dom).toMatch(new RegExp(`<textarea[^>]*>Subject: Please enable SSL click tracking\\n${shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\nthe end</textarea>`));
    const rows = hostRowsOf(dom);
    expect(rows.map((row) => row.hostname)).toEqual(['url1.example.com', hostile]);
    expect(rows[0]?.checks).toEqual([
      { id: 'tls-valid', state: 'pass' },
      { id: 'reaches-sendgrid', state: 'fail' },
      { id: 'http-still-served', state: 'not decided' },
    ]);
  }, 90_000);
});
