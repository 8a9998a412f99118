/** Runs `sslclick` through its programmatic entry (`runCli`) in this process, collecting what it prints. */
import { runCli } from '../src/run-cli.js';
import type { OutputStream } from '../src/output.js';
import type { RunResult } from './run-sslclick.js';

function collector(): OutputStream & { text: string } {
  return {
    text: '',
    write(text, callback) {
      this.text += text;
      callback?.();
      return true;
    },
  };
}

/** `sslclick …args`, in-process: no child to start, so a test can run it many times against one world. */
export async function runInProcess(args: string[]): Promise<RunResult> {
  const stdout = collector();
  const stderr = collector();
  const code = await runCli(args, { stdout, stderr });
  return { code, signal: null, stdout: stdout.text, stderr: stderr.text };
}
