import { useQuery } from '@tanstack/react-query';
import { Progress, Table } from 'antd';
import dayjs from 'dayjs';
import { request } from '../../api/client';
import type { Job, Page } from '../../api/types';
import { PageHead, StatusTag } from '../../components/common';
import { ProblemAlert } from '../../components/problem';
import { JOB_STATE, label } from '../../i18n/labels';

/** src/modules/jobs/jobs.service.ts JobView, as the list gives it. */
type JobRow = Job & { attempts: number; createdAt: string; finishedAt: string | null; lastError?: unknown };

const JOB_NAME: Record<string, string> = {
  'disbursements.generate': '生成发放批次',
  'registry.import': '户籍批量导入',
  'enrollments.recheck': '享受资格复核',
  'audit.seal': '封存审计日志',
  'chains.heads-export': '导出链头',
};

const STATE_TONE: Record<string, string> = { completed: 'PAID', failed: 'FAILED', active: 'SUBMITTED' };

/** What a finished job answered, or why it failed, in one line. */
function outcome(job: JobRow): string {
  const value = job.state === 'failed' ? job.error : job.state === 'completed' ? job.result : job.lastError;
  if (value === undefined || value === null) return '—';
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (typeof v.detail === 'string') return v.detail;
  if (typeof v.message === 'string') return v.message;
  return Object.entries(v)
    .filter(([, x]) => typeof x !== 'object')
    .map(([k, x]) => `${k}: ${String(x)}`)
    .join('，');
}

/** 我的后台任务: the user's jobs, newest first, followed while any is still running. */
export default function JobsPage() {
  const jobs = useQuery({
    queryKey: ['jobs', 'mine'],
    queryFn: () => request<Page<JobRow>>('GET', '/jobs?mine=true&limit=100'),
    refetchInterval: (query) =>
      query.state.data?.items.some((j) => j.state === 'active' || j.state === 'waiting') ? 1000 : false,
  });
  return (
    <>
      <PageHead title="我的后台任务" />
      <ProblemAlert error={jobs.error} />
      <Table<JobRow>
        rowKey="id"
        loading={jobs.isLoading}
        dataSource={jobs.data?.items ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        scroll={{ x: true }}
        locale={{ emptyText: '您还没有后台任务（生成批次、批量导入等会在这里显示进度）' }}
        columns={[
          { title: '任务', dataIndex: 'name', render: (v: string) => JOB_NAME[v] ?? v },
          {
            title: '状态',
            dataIndex: 'state',
            render: (v: string) => (
              <StatusTag status={STATE_TONE[v] ?? v} labels={{ [STATE_TONE[v] ?? v]: label(JOB_STATE, v) }} />
            ),
          },
          {
            title: '进度',
            dataIndex: 'progress',
            width: 220,
            render: (v: number, j) => (
              <Progress
                percent={Math.round(j.state === 'completed' ? 100 : v)}
                status={j.state === 'failed' ? 'exception' : j.state === 'active' ? 'active' : undefined}
                aria-label={`${JOB_NAME[j.name] ?? j.name}进度`}
                size="small"
              />
            ),
          },
          { title: '尝试次数', dataIndex: 'attempts', align: 'right' },
          { title: '开始', dataIndex: 'createdAt', render: (v: string) => dayjs(v).format('YYYY-MM-DD HH:mm:ss') },
          {
            title: '结束',
            dataIndex: 'finishedAt',
            render: (v: string | null) => (v ? dayjs(v).format('YYYY-MM-DD HH:mm:ss') : '—'),
          },
          { title: '结果或原因', render: (_, j) => outcome(j) },
        ]}
      />
    </>
  );
}
