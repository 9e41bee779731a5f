import cronParser from 'cron-parser';

/** Schedules are read in China time, whatever the server's clock zone. */
export const SCHEDULE_TZ = 'Asia/Shanghai';

/** The first firing strictly after `after`, or a message saying why the expression is not valid. */
export function nextFiring(cron: string, after: Date): Date | string {
  if (cron.trim().split(/\s+/).length !== 5) return 'a schedule has five fields: minute hour day month weekday';
  try {
    return cronParser.parseExpression(cron, { currentDate: after, tz: SCHEDULE_TZ }).next().toDate();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
