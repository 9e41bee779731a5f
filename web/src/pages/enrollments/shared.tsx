import { Link } from 'react-router';
import type { Enrollment } from '../../api/types';
import { useHousehold } from '../households/HouseholdPage';
import { todayInChina } from '../tasks/tasks';

const DAY = 24 * 60 * 60 * 1000;
const daysBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / DAY);

/** The public notice in words: days left, or over (the first day it may be approved is the server's). */
export function noticeText(e: Enrollment): string | undefined {
  if (e.status !== 'PUBLICIZED' || !e.noticeEndsOn) return undefined;
  const left = daysBetween(todayInChina(), e.noticeEndsOn);
  return left > 0 ? `公示中，还剩 ${left} 天（${e.noticeEndsOn} 起可审批）` : '公示期满，可审批';
}

/** The household number and the beneficiary's name, read from the household record. */
export function Party({ enrollment }: { enrollment: Enrollment }) {
  const household = useHousehold(enrollment.householdId);
  const h = household.data;
  const person = enrollment.beneficiaryPersonId
    ? h?.members.find((m) => m.personId === enrollment.beneficiaryPersonId)
    : undefined;
  return (
    <span>
      <Link to={`/households/${enrollment.householdId}`}>{h?.householdNo ?? '家庭档案'}</Link>
      {' · '}
      {enrollment.beneficiaryPersonId ? (person?.name ?? '…') : '本户'}
    </span>
  );
}
