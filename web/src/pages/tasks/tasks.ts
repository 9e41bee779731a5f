import { useQuery } from '@tanstack/react-query';
import { request } from '../../api/client';
import type { Batch, Enrollment, Page, Role } from '../../api/types';
import { financeTasks } from '../finance/finance-tasks';

export interface Task {
  key: string;
  title: string;
  count: number;
  /** The server's page was full: there are at least `count`. */
  more: boolean;
  to: string;
  action: string;
}

/** Today in China, where the notices run (the server's calendar). */
export const todayInChina = () =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());

const LIMIT = 500;

async function count<T>(path: string, keep: (item: T) => boolean = () => true) {
  const page = await request<Page<T>>('GET', `${path}${path.includes('?') ? '&' : '?'}limit=${LIMIT}`);
  return { count: page.items.filter(keep).length, more: page.nextCursor !== null };
}

/** A batch the county has not made yet: a cash policy with enrollments in force, for the current period. */
export interface BatchToCreate {
  policyCode: string;
  period: string;
  countyCode: string;
  enrollments: number;
}

const LIVE_BATCH = (b: Batch) => b.status !== 'CANCELLED' && b.status !== 'REJECTED';

/**
 * 待建批次, derived from the server's lists (the API has no route that answers it): every cash policy
 * with ACTIVE enrollments in a county, for this month (monthly benefits) or this year (annual and
 * one-time ones), that has no batch for that period which is neither cancelled nor rejected. Reads
 * up to 500 active enrollments (`more` when there are more).
 */
export async function batchesToCreate(): Promise<{ items: BatchToCreate[]; more: boolean }> {
  const [policies, active] = await Promise.all([
    request<Page<{ code: string; frequency: string }>>('GET', '/policies?limit=100'),
    request<Page<Enrollment>>('GET', `/enrollments?status=ACTIVE&limit=${LIMIT}`),
  ]);
  const today = todayInChina();
  const periodOf = new Map(
    policies.items
      .filter((p) => ['MONTHLY', 'ANNUAL', 'ONE_TIME'].includes(p.frequency))
      .map((p) => [p.code, p.frequency === 'MONTHLY' ? today.slice(0, 7) : today.slice(0, 4)]),
  );
  const groups = new Map<string, BatchToCreate>();
  for (const e of active.items) {
    const period = periodOf.get(e.policyCode);
    if (!period) continue;
    const countyCode = e.regionCode.slice(0, 6);
    const key = `${e.policyCode}:${countyCode}`;
    const group = groups.get(key) ?? { policyCode: e.policyCode, period, countyCode, enrollments: 0 };
    group.enrollments++;
    groups.set(key, group);
  }
  const policyCodes = [...new Set([...groups.values()].map((g) => g.policyCode))];
  const made = await Promise.all(
    policyCodes.map(async (code) => {
      const query = new URLSearchParams({ policyCode: code, period: periodOf.get(code)!, limit: '100' });
      const batches = await request<Page<Batch>>('GET', `/disbursement-batches?${query}`);
      return batches.items.filter(LIVE_BATCH).map((b) => `${b.policyCode}:${b.countyCode}`);
    }),
  );
  const exists = new Set(made.flat());
  const items = [...groups.entries()].filter(([key]) => !exists.has(key)).map(([, group]) => group);
  return { items, more: active.nextCursor !== null };
}

export const newBatchLink = (b: BatchToCreate) =>
  `/batches/new?${new URLSearchParams({ policyCode: b.policyCode, period: b.period, countyCode: b.countyCode })}`;

/** 待办: what the signed-in user has to do next, counted from the server's lists. */
async function loadTasks(role: Role): Promise<Task[]> {
  if (role === 'CLERK') {
    const [drafts, returned] = await Promise.all([
      count<Enrollment>('/enrollments?status=DRAFT'),
      count<Enrollment>('/enrollments?status=REJECTED'),
    ]);
    return [
      { key: 'drafts', title: '待提交的申请（草稿）', ...drafts, to: '/enrollments?status=DRAFT', action: '去提交' },
      { key: 'returned', title: '被退回的申请', ...returned, to: '/enrollments?status=REJECTED', action: '去查看' },
    ];
  }
  if (role === 'OFFICER') {
    const today = todayInChina();
    const [submitted, noticeOver, generated, failed, toCreate] = await Promise.all([
      count<Enrollment>('/enrollments?status=SUBMITTED'),
      count<Enrollment>('/enrollments?status=PUBLICIZED', (e) => e.noticeEndsOn !== null && e.noticeEndsOn <= today),
      count<Batch>('/disbursement-batches?status=GENERATED'),
      count<Batch>('/disbursement-batches?status=GENERATION_FAILED').catch(() => ({ count: 0, more: false })),
      batchesToCreate(),
    ]);
    return [
      { key: 'publicize', title: '待公示的申请', ...submitted, to: '/enrollments?status=SUBMITTED', action: '去公示' },
      {
        key: 'approve',
        title: '公示期满、待审批的申请',
        ...noticeOver,
        to: '/enrollments?status=PUBLICIZED',
        action: '去审批',
      },
      {
        key: 'create',
        title: '本期待建的发放批次',
        count: toCreate.items.length,
        more: toCreate.more,
        to: toCreate.items.length === 1 ? newBatchLink(toCreate.items[0]) : '/batches/new',
        action: '去新建',
      },
      {
        key: 'submit',
        title: '已生成、待提交的发放批次',
        ...generated,
        to: '/batches?status=GENERATED',
        action: '去提交',
      },
      {
        key: 'failed',
        title: '生成失败的发放批次',
        ...failed,
        to: '/batches?status=GENERATION_FAILED',
        action: '去处理',
      },
    ];
  }
  if (role === 'FINANCE') return financeTasks(count);
  return [];
}

export function useTasks(role: Role) {
  return useQuery({ queryKey: ['tasks', role], queryFn: () => loadTasks(role), refetchInterval: 60_000 });
}
