import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressDisplay, usableColumns } from './progress-display.js';

/** A terminal stream that records what is written, reporting `columns` as it is told. */
function fakeTerminal(columns: number | undefined): { stream: NodeJS.WriteStream; writes: string[] } {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      writes.push(chunk.toString());
      callback();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY: true, columns });
  return { stream, writes };
}

const clearLine = '\r\u001B[2K';

describe('the live progress line', () => {
  it.each([0, undefined, -1, 5])('a terminal reporting %s columns is drawn 80 wide, one bounded write per event', (columns) => {
    const { stream, writes } = fakeTerminal(columns);
    const display = createProgressDisplay(stream, { live: true });
    const long = 'x'.repeat(500);
    for (let index = 0; index < 1_000; index += 1) display.onProgress({ type: 'edge-waiting', message: `${long} ${index}` });
    display.stop('succeed', 'done');
    // One draw per event plus the first and the last: no loop that redraws per column.
    expect(writes.length).toBeLessThanOrEqual(1_003);
    const liveLines = writes.filter((write) => write.startsWith(clearLine) && !write.endsWith('\n'));
    for (const line of liveLines) expect(line.length - clearLine.length).toBeLessThan(80);
    expect(writes.join('').length).toBeLessThan(1_003 * 90);
  });

  it('uses the terminal’s width when it reports one', () => {
    expect(usableColumns({ columns: 132 })).toBe(132);
    expect(usableColumns({ columns: 0 })).toBe(80);
    const { stream, writes } = fakeTerminal(40);
    const display = createProgressDisplay(stream, { live: true });
    display.onProgress({ type: 'certificate-waiting', message: 'y'.repeat(200) });
    display.stop('fail', 'stopped');
    expect(writes.filter((write) => !write.endsWith('\n')).every((write) => write.length - clearLine.length < 40)).toBe(true);
    expect(writes.at(-1)).toBe(`${clearLine}✖ stopped\n`);
  });

  it('finished steps stay on their own line above the live one', () => {
    const { stream, writes } = fakeTerminal(100);
    const display = createProgressDisplay(stream, { live: true });
    display.onProgress({ type: 'rule-created', message: 'Added the rule.' });
    display.stop('succeed', 'ready');
    expect(writes).toContain(`${clearLine}• Added the rule.\n`);
  });

  it('off a terminal: plain lines with the elapsed time and the event type', () => {
    const { stream, writes } = fakeTerminal(0);
    const display = createProgressDisplay(stream, { live: false });
    display.onProgress({ type: 'rule-created', message: 'Added the rule.' });
    expect(writes[0]).toMatch(/^\s+\d+\.\ds rule-created\s+Added the rule\.\n$/);
  });
});
