import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Descriptions, Popconfirm, Progress, Space, Table, Tabs } from 'antd';
import { Link, useParams } from 'react-router';
import { request } from '../../api/client';
import type { Batch, BatchLine, Job, Page } from '../../api/types';
import { useUser } from '../../auth/session';
import { Money, PageHead, StatusTag } from '../../components/common';
import { ProblemAlert } from '../../components/problem';
import { BATCH_STATUS, JOB_STATE, label, LINE_STATUS, POLICY } from '../../i18n/labels';

type Action = 'submit' | 'resume' | 'cancel';

const nowrap = () => ({ style: { whiteSpace: 'nowrap' as const } });

const ACTION_TEXT: Record<Action, string> = { submit: '已提交财政审批', resume: '已继续生成', cancel: '批次已取消' };

/** One batch: its generation as it runs, its lines and exceptions, and what the officer does next. */
export default function BatchPage() {
  const { id = '' } = useParams();
  const user = useUser();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const batch = useQuery({
    queryKey: ['batch', id],
    queryFn: () => request<Batch>('GET', `/disbursement-batches/${id}`),
    // While the lines are generated, ask every second.
    refetchInterval: (query) => (query.state.data?.status === 'DRAFT' ? 1000 : false),
  });
  const b = batch.data;
  const generating = b?.status === 'DRAFT';
  const job = useQuery({
    queryKey: ['job', b?.generationJobId],
    queryFn: () => request<Job>('GET', `/jobs/${b!.generationJobId}`),
    enabled: !!b?.generationJobId && generating,
    refetchInterval: generating ? 1000 : false,
  });
  const lines = useInfiniteQuery({
    queryKey: ['batch-lines', id, b?.status],
    queryFn: ({ pageParam }) =>
      request<Page<BatchLine>>(
        'GET',
        `/disbursement-batches/${id}/lines?limit=100${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`,
      ),
    initialPageParam: '',
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    enabled: !!b && !generating,
  });
  const act = useMutation({
    mutationFn: (action: Action) => request<Batch>('POST', `/disbursement-batches/${id}/${action}`),
    onSuccess: async (_, action) => {
      void message.success(ACTION_TEXT[action]);
      await queryClient.invalidateQueries({ queryKey: ['batch', id] });
      await queryClient.invalidateQueries({ queryKey: ['batches'] });
      await queryClient.invalidateQueries({ queryKey: ['tasks'] });
    },
  });

  if (batch.error) return <ProblemAlert error={batch.error} />;
  if (!b) return <Card loading />;
  const officer = user.role === 'OFFICER';
  const progress = b.status === 'DRAFT' ? Math.round(job.data?.progress ?? 0) : 100;

  return (
    <>
      <PageHead
        title={`发放批次 ${b.batchNo}`}
        crumbs={[{ title: '发放批次', to: '/batches' }, { title: b.batchNo }]}
        extra={
          officer ? (
            <>
              {b.status === 'GENERATED' && (
                <Popconfirm
                  title="提交后由财政审批，提交人不能审批本批次。确认提交？"
                  okText="提交"
                  cancelText="再看看"
                  onConfirm={() => act.mutate('submit')}
                >
                  <Button type="primary" loading={act.isPending && act.variables === 'submit'}>
                    提交审批
                  </Button>
                </Popconfirm>
              )}
              {b.status === 'GENERATION_FAILED' && (
                <>
                  <Button
                    type="primary"
                    loading={act.isPending && act.variables === 'resume'}
                    onClick={() => act.mutate('resume')}
                  >
                    继续生成
                  </Button>
                  <Popconfirm
                    title="取消后本批次作废，其已生成的发放行一并释放。确认取消？"
                    okText="取消批次"
                    cancelText="不取消"
                    onConfirm={() => act.mutate('cancel')}
                  >
                    <Button danger loading={act.isPending && act.variables === 'cancel'}>
                      取消批次
                    </Button>
                  </Popconfirm>
                </>
              )}
            </>
          ) : (
            // Finance and audit open the same batch on their own page.
            (user.role === 'FINANCE' || user.role === 'AUDITOR') && (
              <Link to={user.role === 'FINANCE' ? `/finance/batches/${id}` : `/audit/batches/${id}`}>
                <Button type="primary">{user.role === 'FINANCE' ? '财政审批与发放' : '资金追溯'}</Button>
              </Link>
            )
          )
        }
      />
      <ProblemAlert error={act.error} />
      {b.status === 'GENERATION_FAILED' && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          title="批次生成失败"
          description={
            <>
              {b.generationError ? (
                <div>
                  原因：{b.generationError.detail}（{b.generationError.code}
                  {b.generationError.attempts ? `，已尝试 ${b.generationError.attempts} 次` : ''}）
                </div>
              ) : null}
              <div>可在排除原因后“继续生成”（已生成的部分不会重复），或“取消批次”。</div>
            </>
          }
        />
      )}
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        <Card>
          {generating && (
            <div style={{ marginBottom: 16 }} role="status">
              <div>正在生成发放行（{label(JOB_STATE, job.data?.state ?? 'waiting')}）</div>
              <Progress percent={progress} aria-label="生成进度" />
            </div>
          )}
          <Descriptions column={{ xs: 1, md: 2, xl: 3 }} size="small">
            <Descriptions.Item label="状态">
              <StatusTag status={b.status} labels={BATCH_STATUS} />
            </Descriptions.Item>
            <Descriptions.Item label="政策">{label(POLICY, b.policyCode)}</Descriptions.Item>
            <Descriptions.Item label="期间">{b.period}</Descriptions.Item>
            <Descriptions.Item label="县区">{b.countyCode}</Descriptions.Item>
            <Descriptions.Item label="笔数">{b.lineCount}</Descriptions.Item>
            <Descriptions.Item label="合计金额">
              <Money value={b.totalAmount} />
            </Descriptions.Item>
            <Descriptions.Item label="异常">{b.exceptionCount}</Descriptions.Item>
            {b.rejectReason && <Descriptions.Item label="退回原因">{b.rejectReason}</Descriptions.Item>}
          </Descriptions>
        </Card>
        {!generating && (
          <Card>
            <Tabs
              items={[
                {
                  key: 'lines',
                  label: `发放明细（${b.lineCount}）`,
                  children: (
                    <>
                      <ProblemAlert error={lines.error} />
                      <Table<BatchLine>
                        rowKey="id"
                        size="small"
                        loading={lines.isLoading}
                        pagination={false}
                        dataSource={lines.data?.pages.flatMap((p) => p.items) ?? []}
                        locale={{ emptyText: '本批次没有发放行' }}
                        columns={[
                          { title: '序号', dataIndex: 'lineNo', width: 70 },
                          { title: '户名', dataIndex: 'accountName', onCell: nowrap },
                          {
                            title: '家庭',
                            dataIndex: 'householdId',
                            onCell: nowrap,
                            render: (v: string) => <Link to={`/households/${v}`}>查看档案</Link>,
                          },
                          { title: '账号', dataIndex: 'accountNo', onCell: nowrap },
                          { title: '期间', dataIndex: 'periods', render: (v: string[]) => v.join('、') },
                          {
                            title: '金额',
                            dataIndex: 'amount',
                            align: 'right',
                            render: (v: string) => <Money value={v} />,
                          },
                          {
                            title: '状态',
                            dataIndex: 'status',
                            render: (v: string) => <StatusTag status={v} labels={LINE_STATUS} />,
                          },
                        ]}
                      />
                      {lines.hasNextPage && (
                        <Button
                          style={{ marginTop: 12 }}
                          loading={lines.isFetchingNextPage}
                          onClick={() => void lines.fetchNextPage()}
                        >
                          加载更多
                        </Button>
                      )}
                    </>
                  ),
                },
                {
                  key: 'exceptions',
                  label: `异常（${b.exceptionCount}）`,
                  children: (
                    <Table
                      rowKey={(e) => `${e.householdId}:${e.personId}`}
                      size="small"
                      pagination={false}
                      dataSource={b.exceptions ?? []}
                      locale={{ emptyText: '没有异常' }}
                      columns={[
                        {
                          title: '家庭',
                          dataIndex: 'householdId',
                          onCell: nowrap,
                          render: (v: string) => <Link to={`/households/${v}`}>查看档案</Link>,
                        },
                        { title: '原因', dataIndex: 'reason' },
                      ]}
                    />
                  ),
                },
              ]}
            />
          </Card>
        )}
      </Space>
    </>
  );
}
