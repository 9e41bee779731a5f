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
    const [submitted, noticeOver, generated, failed] = await Promise.all([
      count<Enrollment>('/enrollments?status=SUBMITTED'),
      count<Enrollment>('/enrollments?status=PUBLICIZED', (e) => e.noticeEndsOn !== null && e.noticeEndsOn <= today),
      count<Batch>('/disbursement-batches?status=GENERATED'),
      count<Batch>('/disbursement-batches?status=GENERATION_FAILED').catch(() => ({ count: 0, more: false })),
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
