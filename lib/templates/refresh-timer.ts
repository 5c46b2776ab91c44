/**
 * Template refresh in the background, for long-running processes that opt in
 * (`RmsClient.startTemplateRefresh()`, or the `refreshTemplatesInBackground` option): every
 * so often each service's templates are downloaded when due, by the same schedule a publishing
 * request follows. The timer never keeps the process alive (unref), and a failure is only traced:
 * the next tick, or the next publishing request, tries again after the retry delay.
 */
export interface RefreshTimer {
  stop(): void;
}

/** The most a tick waits: a changed setting or a deleted marker is noticed within this. */
const LONGEST_TICK_SECONDS = 15 * 60;

export function startRefreshTimer(intervalSeconds: () => number, refreshDue: () => Promise<void>): RefreshTimer {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (): void => {
    if (stopped) return;
    let seconds = LONGEST_TICK_SECONDS;
    try {
      seconds = Math.max(1, Math.min(intervalSeconds(), LONGEST_TICK_SECONDS));
    } catch {
      // A bad TemplateUpdateFrequency setting: the publishing request reports it; the timer waits.
    }
    timer = setTimeout(() => {
      refreshDue().catch(() => undefined).finally(schedule);
    }, seconds * 1000);
    timer.unref();
  };
  schedule();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
