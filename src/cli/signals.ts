/**
 * Ctrl-C and `kill` during training: the first SIGINT or SIGTERM asks the run to stop after the
 * current step (the command then saves a checkpoint and says how to resume); a second one exits
 * at once, leaving the last complete checkpoint (every file is written atomically).
 */

/** The exit code of a process ended by `signal`: 128 + its number (130 for SIGINT, 143 for SIGTERM). */
export function signalExitCode(signal: 'SIGINT' | 'SIGTERM'): number {
  return signal === 'SIGINT' ? 130 : 143;
}

/** Watches SIGINT/SIGTERM while installed; `requested` says which arrived first. */
export class StopRequest {
  requested: 'SIGINT' | 'SIGTERM' | null = null;
  private readonly handler = (signal: NodeJS.Signals): void => {
    const s = signal === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
    if (this.requested !== null) {
      this.onSecond(s);
      process.exit(signalExitCode(s));
    }
    this.requested = s;
    this.onFirst(s);
  };

  constructor(
    private readonly onFirst: (signal: 'SIGINT' | 'SIGTERM') => void,
    private readonly onSecond: (signal: 'SIGINT' | 'SIGTERM') => void,
  ) {
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
  }

  /** Stops watching (the default signal behaviour returns). */
  dispose(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
  }
}

/** Lets pending events (signals among them) run: training is synchronous between these calls. */
export function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
