import { useInfiniteQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Descriptions, Space, Table } from 'antd';
import dayjs from 'dayjs';
import { Link, useParams } from 'react-router';
import { request } from '../../api/client';
import { periodsText } from '../finance/finance-api';
import { amountColumns } from '../finance/line-amounts';
import { Money, PageHead, StatusTag } from '../../components/common';
import { ProblemAlert } from '../../components/problem';
import { BATCH_STATUS, FUNDING_LEVEL, label, LINE_STATUS, POLICY } from '../../i18n/labels';
import { TRANSFER_CODE, type BatchTrace } from './trace-types';

type Line = BatchTrace['lines']['items'][number];
type BudgetRow = BatchTrace['budgetLines'][number];

const when = (at: string | null | undefined) => (at ? dayjs(at).format('YYYY-MM-DD HH:mm') : '—');

/**
 * 批次资金路径: one batch's money from its budget lines through approval and the ledger to each
 * line's bank result, with the server's checks that the totals agree at every step.
 */
export default function BatchTracePage() {
  const { id = '' } = useParams();
  const trace = useInfiniteQuery({
    queryKey: ['trace-batch', id],
    queryFn: ({ pageParam }) =>
      request<BatchTrace>(
        'GET',
        `/audit/trace/batches/${id}?limit=200${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`,
      ),
    initialPageParam: '',
    getNextPageParam: (page) => page.lines.nextCursor ?? undefined,
  });
  if (trace.error) return <ProblemAlert error={trace.error} />;
  const first = trace.data?.pages[0];
  if (!first) return <Card loading />;
  const b = first.batch;
  const lines = (trace.data?.pages ?? []).flatMap((p) => p.lines.items);
  return (
    <>
      <PageHead
        title={`批次资金路径 ${b.batchNo}`}
        crumbs={[{ title: '资金追溯', to: '/audit/trace' }, { title: b.batchNo }]}
      />
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        {first.consistent ? (
          <Alert type="success" showIcon title="各环节金额一致：预算占用、记账、发放行与银行结果相互吻合" />
        ) : (
          <Alert
            type="error"
            showIcon
            role="alert"
            title="发现不一致"
            description={
              <ul style={{ margin: 0, paddingLeft: 18 }}>
                {first.differences.map((d) => (
                  <li key={d.check}>
                    {d.check}：应为 {d.expected}，实为 {d.actual}（差 {d.difference}）
                  </li>
                ))}
              </ul>
            }
          />
        )}
        <Card title="批次">
          <Descriptions column={{ xs: 1, md: 2, xl: 3 }} size="small">
            <Descriptions.Item label="状态">
              <StatusTag status={b.status} labels={BATCH_STATUS} />
            </Descriptions.Item>
            <Descriptions.Item label="政策">{label(POLICY, b.policyCode)}</Descriptions.Item>
            <Descriptions.Item label="期间">{b.period}</Descriptions.Item>
            <Descriptions.Item label="县区">{b.countyCode}</Descriptions.Item>
            <Descriptions.Item label="笔数">{b.lineCount}</Descriptions.Item>
            <Descriptions.Item label="合计">
              <Money value={b.totalAmount} />
            </Descriptions.Item>
            <Descriptions.Item label="生成">
              {b.createdBy.username ?? b.createdBy.id} {when(b.createdBy.at)}
            </Descriptions.Item>
            <Descriptions.Item label="提交">
              {b.submitted ? `${b.submitted.username ?? b.submitted.by} ${when(b.submitted.at)}` : '—'}
            </Descriptions.Item>
            <Descriptions.Item label="财政审批">
              {b.approval ? `${b.approval.username ?? b.approval.approvedBy} ${when(b.approval.approvedAt)}` : '—'}
            </Descriptions.Item>
            <Descriptions.Item label="银行文件">
              {b.exportedAt ? `${when(b.exportedAt)} 导出，SHA-256 ${b.bankFileSha256?.slice(0, 16)}…` : '—'}
            </Descriptions.Item>
            <Descriptions.Item label="回盘">{when(b.settledAt)}</Descriptions.Item>
            <Descriptions.Item label="关闭">{when(b.closedAt)}</Descriptions.Item>
          </Descriptions>
        </Card>
        <Card title="预算指标（本批次所用）">
          <Table<BudgetRow>
            rowKey="fundingLevel"
            size="small"
            pagination={false}
            dataSource={first.budgetLines}
            scroll={{ x: true }}
            locale={{ emptyText: '本批次尚未占用预算' }}
            columns={[
              { title: '资金层级', dataIndex: 'fundingLevel', render: (v: string) => label(FUNDING_LEVEL, v) },
              { title: '指标', dataIndex: 'appropriated', align: 'right', render: (v: string) => <Money value={v} /> },
              { title: '可用', dataIndex: 'available', align: 'right', render: (v: string) => <Money value={v} /> },
              {
                title: '本批次占用',
                align: 'right',
                render: (_, r) => <Money value={r.thisBatch.committed} />,
              },
              { title: '本批次支出', align: 'right', render: (_, r) => <Money value={r.thisBatch.spent} /> },
              { title: '本批次释放', align: 'right', render: (_, r) => <Money value={r.thisBatch.released} /> },
              {
                title: '仍占用',
                align: 'right',
                render: (_, r) => <Money value={r.thisBatch.stillCommitted} />,
              },
            ]}
          />
        </Card>
        <Card title="记账（按类别与资金层级）">
          <Table
            rowKey={(t) => `${t.code}:${t.fundingLevel}`}
            size="small"
            pagination={false}
            dataSource={first.transfers}
            locale={{ emptyText: '尚无记账' }}
            columns={[
              { title: '类别', dataIndex: 'code', render: (v: string) => label(TRANSFER_CODE, v) },
              {
                title: '资金层级',
                dataIndex: 'fundingLevel',
                render: (v: string | null) => (v ? label(FUNDING_LEVEL, v) : '—'),
              },
              { title: '笔数', dataIndex: 'count', align: 'right' },
              { title: '金额', dataIndex: 'amount', align: 'right', render: (v: string) => <Money value={v} /> },
            ]}
          />
        </Card>
        <Card title="发放行与银行结果">
          <Table<Line>
            rowKey="id"
            size="small"
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            dataSource={lines}
            scroll={{ x: true }}
            columns={[
              { title: '序号', dataIndex: 'lineNo', width: 70 },
              {
                title: '家庭',
                dataIndex: 'householdId',
                render: (v: string) => <Link to={`/audit/households/${v}`}>户资金追溯</Link>,
              },
              { title: '期间', dataIndex: 'periods', render: (v: string[]) => periodsText(v) },
              ...amountColumns<Line>(),
              {
                title: '状态',
                dataIndex: 'status',
                render: (v: string) => <StatusTag status={v} labels={LINE_STATUS} />,
              },
              { title: '银行流水号或原因', render: (_, l) => l.bankRef ?? l.reason ?? '—' },
              {
                title: '已支付（账本）',
                dataIndex: 'paid',
                align: 'right',
                render: (v: string) => <Money value={v} />,
              },
              {
                title: '已释放（账本）',
                dataIndex: 'released',
                align: 'right',
                render: (v: string) => <Money value={v} />,
              },
            ]}
          />
          {trace.hasNextPage && (
            <Button
              style={{ marginTop: 12 }}
              loading={trace.isFetchingNextPage}
              onClick={() => void trace.fetchNextPage()}
            >
              加载更多
            </Button>
          )}
        </Card>
      </Space>
    </>
  );
}
