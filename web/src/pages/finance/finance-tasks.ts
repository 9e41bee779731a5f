import type { Batch } from '../../api/types';
import type { Task } from '../tasks/tasks';
import { awaitingReissue, failedPayments, thisYear } from './finance-api';

type Count = <T>(path: string, keep?: (item: T) => boolean) => Promise<{ count: number; more: boolean }>;

/** 待办 for finance: batches to approve, bank files to export, results to import, failed lines. */
export async function financeTasks(count: Count): Promise<Task[]> {
  const [submitted, approved, exported, failed] = await Promise.all([
    count<Batch>('/disbursement-batches?status=SUBMITTED'),
    count<Batch>('/disbursement-batches?status=APPROVED'),
    count<Batch>('/disbursement-batches?status=EXPORTED'),
    failedPayments(thisYear()).then(
      (report) => ({ count: report.items.filter(awaitingReissue).length, more: false }),
      () => ({ count: 0, more: false }),
    ),
  ]);
  return [
    {
      key: 'approve',
      title: '待审批的发放批次',
      ...submitted,
      to: '/finance/batches?status=SUBMITTED',
      action: '去审批',
    },
    {
      key: 'export',
      title: '待导出银行文件的批次',
      ...approved,
      to: '/finance/batches?status=APPROVED',
      action: '去导出',
    },
    {
      key: 'results',
      title: '待导入银行回盘的批次',
      ...exported,
      to: '/finance/batches?status=EXPORTED',
      action: '去导入',
    },
    { key: 'reissue', title: '发放失败、待补发的行', ...failed, to: '/finance/failed-lines', action: '去查看' },
  ];
}
