/** The exit codes of every `sslclick` command. */
export const ExitCode = {
  /** Ready (setup, status, verify, readiness; setup --all: every account), done (destroy, a dry run that fits), or help shown. */
  ready: 0,
  /** It ran, and the result is not ready yet (with setup --all: an account is not): the output says what is left. */
  notReady: 1,
  /** An error: bad input, credentials, a vendor failure, an account plan that does not fit a quota. Nothing was left half-changed. */
  error: 2,
  /** Stopped by Ctrl-C (128 + SIGINT, as shells report it); run the command again to resume. */
  interrupted: 130,
} as const;

/** One of {@link ExitCode}'s values. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
