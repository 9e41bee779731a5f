import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Form,
  Input,
  Modal,
  Popconfirm,
  Radio,
  Space,
  Table,
  Typography,
  Upload,
} from 'antd';
import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { download, request } from '../../api/client';
import type { Batch, BatchLine, Page } from '../../api/types';
import { Money, PageHead, StatusTag, ToneTag } from '../../components/common';
import { problemOf, ProblemAlert } from '../../components/problem';
import { BATCH_STATUS, FUNDING_LEVEL, label, LINE_STATUS, POLICY } from '../../i18n/labels';
import {
  idempotencyKey,
  periodsText,
  upload,
  type BankFileProblem,
  type BudgetImpact,
  type Settlement,
} from './finance-api';
import { amountColumns } from './line-amounts';

const nowrap = () => ({ style: { whiteSpace: 'nowrap' as const } });

/** The budget line a refusal names, in words: "2026 年 中央 计划生育家庭特别扶助… 410122". */
function budgetLineText(line: unknown): string | undefined {
  if (!line || typeof line !== 'object') return undefined;
  const l = line as { fiscalYear: number; policyCode: string; fundingLevel: string; countyCode: string };
  return `${l.fiscalYear} 年 ${label(POLICY, l.policyCode)} ${label(FUNDING_LEVEL, l.fundingLevel)}资金（县区 ${l.countyCode}）`;
}

/**
 * 财政审批与发放: one batch from finance's side. Its lines and totals by funding level; what
 * approving does to each budget line; approve or reject; the bank file; the bank's result file with
 * every problem listed by line; and the failed lines, which the next batch pays again.
 */
export default function FinanceBatchPage() {
  const { id = '' } = useParams();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const lineFilter = params.get('lines') === 'FAILED' ? 'FAILED' : 'ALL';
  const [rejecting, setRejecting] = useState(false);
  const [settlement, setSettlement] = useState<Settlement>();

  const batch = useQuery({
    queryKey: ['batch', id],
    queryFn: () => request<Batch>('GET', `/disbursement-batches/${id}`),
  });
  const b = batch.data;
  const impact = useQuery({
    queryKey: ['budget-impact', id, b?.status],
    queryFn: () => request<BudgetImpact>('GET', `/disbursement-batches/${id}/budget-impact`),
    enabled: !!b && b.status !== 'DRAFT',
  });
  const lines = useInfiniteQuery({
    queryKey: ['batch-lines', id, b?.status],
    queryFn: ({ pageParam }) =>
      request<Page<BatchLine>>(
        'GET',
        `/disbursement-batches/${id}/lines?limit=500${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`,
      ),
    initialPageParam: '',
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    enabled: !!b && b.status !== 'DRAFT',
  });
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ['batch', id] });
    await queryClient.invalidateQueries({ queryKey: ['batches'] });
    await queryClient.invalidateQueries({ queryKey: ['tasks'] });
    await queryClient.invalidateQueries({ queryKey: ['budgets'] });
  };

  const approve = useMutation({
    // One key per click: a refusal commits nothing, so the next click is a new request.
    mutationFn: () =>
      request<Batch>('POST', `/disbursement-batches/${id}/approve`, undefined, {
        'Idempotency-Key': idempotencyKey(),
      }),
    onSuccess: async () => {
      void message.success('已审批通过，预算已占用');
      await refresh();
    },
  });
  const reject = useMutation({
    mutationFn: (reason: string) => request<Batch>('POST', `/disbursement-batches/${id}/reject`, { reason }),
    onSuccess: async () => {
      setRejecting(false);
      void message.success('已退回县区');
      await refresh();
    },
  });
  const exportFile = useMutation({
    mutationFn: () => download(`/disbursement-batches/${id}/bank-file`, `${b?.batchNo ?? 'bank-file'}.csv`),
    onSuccess: async () => {
      void message.success('银行文件已下载');
      await refresh();
    },
  });
  const importResults = useMutation({
    mutationFn: (file: File) => upload<Settlement>(`/disbursement-batches/${id}/bank-results`, file),
    onSuccess: async (result) => {
      setSettlement(result);
      await refresh();
    },
  });
  const close = useMutation({
    mutationFn: () => request<Batch>('POST', `/disbursement-batches/${id}/close`),
    onSuccess: async () => {
      void message.success('批次已关闭');
      await refresh();
    },
  });

  if (batch.error) return <ProblemAlert error={batch.error} />;
  if (!b) return <Card loading />;
  const allLines = lines.data?.pages.flatMap((p) => p.items) ?? [];
  const failed = allLines.filter((l) => l.status === 'FAILED');
  const shown = lineFilter === 'FAILED' ? failed : allLines;
  const approveProblem = problemOf(approve.error);
  const resultProblem = problemOf(importResults.error);
  const fileProblems = (resultProblem?.problems as BankFileProblem[] | undefined) ?? [];

  return (
    <>
      <PageHead
        title={`发放批次 ${b.batchNo}`}
        crumbs={[{ title: '财政审批', to: '/finance/batches' }, { title: b.batchNo }]}
        extra={
          <>
            {b.status === 'SUBMITTED' && (
              <>
                <Popconfirm
                  title="审批通过后按资金分担比例占用预算并记账。确认审批？"
                  okText="审批通过"
                  cancelText="再看看"
                  onConfirm={() => approve.mutate()}
                >
                  <Button type="primary" loading={approve.isPending}>
                    审批通过
                  </Button>
                </Popconfirm>
                <Button danger onClick={() => setRejecting(true)}>
                  退回
                </Button>
              </>
            )}
            {['APPROVED', 'EXPORTED', 'SETTLED', 'CLOSED'].includes(b.status) && (
              <Button
                type={b.status === 'APPROVED' ? 'primary' : 'default'}
                loading={exportFile.isPending}
                onClick={() => exportFile.mutate()}
              >
                下载银行文件
              </Button>
            )}
            {b.status === 'SETTLED' && (
              <Popconfirm
                title="关闭后本批次不再变动。确认关闭？"
                okText="关闭批次"
                cancelText="不关闭"
                onConfirm={() => close.mutate()}
              >
                <Button loading={close.isPending}>关闭批次</Button>
              </Popconfirm>
            )}
          </>
        }
      />
      {approveProblem && (
        <Alert
          type="error"
          showIcon
          role="alert"
          style={{ marginBottom: 16 }}
          title={approveProblem.code === 'INSUFFICIENT_BUDGET' ? '预算不足，未审批' : '未能审批'}
          description={
            <>
              <div>{approveProblem.detail}</div>
              {approveProblem.code === 'INSUFFICIENT_BUDGET' && (
                <div>
                  不足的预算指标：{budgetLineText(approveProblem.budgetLine)}，差额{' '}
                  <Money value={String(approveProblem.shortfall)} />
                  。追加拨款后可再审批，本次未占用任何预算。
                </div>
              )}
              {approveProblem.requestId && <div style={{ color: '#595959' }}>请求编号 {approveProblem.requestId}</div>}
            </>
          }
        />
      )}
      <ProblemAlert error={exportFile.error ?? close.error} />
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        <Card>
          <Descriptions column={{ xs: 1, md: 2, xl: 3 }} size="small">
            <Descriptions.Item label="状态">
              <StatusTag status={b.status} labels={BATCH_STATUS} />
            </Descriptions.Item>
            <Descriptions.Item label="政策">{label(POLICY, b.policyCode)}</Descriptions.Item>
            <Descriptions.Item label="期间">{b.period}</Descriptions.Item>
            <Descriptions.Item label="县区">{b.countyCode}</Descriptions.Item>
            <Descriptions.Item label="预算年度">{b.fiscalYear}</Descriptions.Item>
            <Descriptions.Item label="笔数">{b.lineCount}</Descriptions.Item>
            <Descriptions.Item label="合计金额">
              <Money value={b.totalAmount} />
            </Descriptions.Item>
            {b.rejectReason && <Descriptions.Item label="退回原因">{b.rejectReason}</Descriptions.Item>}
          </Descriptions>
        </Card>

        <BudgetCard
          impact={impact.data}
          error={impact.error}
          loading={impact.isLoading}
          submitted={b.status === 'SUBMITTED'}
        />

        {['EXPORTED', 'SETTLED'].includes(b.status) && (
          <Card title="导入银行回盘文件">
            <Typography.Paragraph>
              回盘文件（CSV，含表头）：line_no,account_no,amount,status,bank_ref,reason；status 为 SUCCESS 或 FAILED。
              文件有任何问题时整份拒收、不做任何更改；同一文件重复导入不会重复记账。
            </Typography.Paragraph>
            <Upload.Dragger
              accept=".csv,text/csv"
              multiple={false}
              showUploadList={false}
              beforeUpload={(file) => {
                setSettlement(undefined);
                importResults.mutate(file);
                return false;
              }}
            >
              <p>点击选择或拖入银行回盘文件</p>
            </Upload.Dragger>
            {settlement && (
              <Alert
                type={settlement.failed > 0 ? 'warning' : 'success'}
                showIcon
                role="status"
                style={{ marginTop: 16 }}
                title="回盘已导入"
                description={`发放成功 ${settlement.paid} 笔，发放失败 ${settlement.failed} 笔，未变化 ${settlement.unchanged} 笔。`}
              />
            )}
            {resultProblem && (
              <div style={{ marginTop: 16 }}>
                <ProblemAlert error={importResults.error} title="回盘文件被整体拒收，未做任何更改" fieldsShown />
                {fileProblems.length > 0 && (
                  <Table<BankFileProblem>
                    rowKey={(p) => `${p.line}:${p.message}`}
                    size="small"
                    pagination={false}
                    dataSource={fileProblems}
                    columns={[
                      { title: '文件行', dataIndex: 'line', width: 90 },
                      { title: '发放序号', dataIndex: 'lineNo', width: 100, render: (v?: string) => v ?? '—' },
                      { title: '问题', dataIndex: 'message' },
                    ]}
                  />
                )}
              </div>
            )}
          </Card>
        )}

        {b.status !== 'DRAFT' && (
          <Card
            title={`发放明细（${b.lineCount}）`}
            extra={
              <Radio.Group
                aria-label="显示哪些发放行"
                value={lineFilter}
                onChange={(e) => {
                  const next = new URLSearchParams(params);
                  if (e.target.value === 'FAILED') next.set('lines', 'FAILED');
                  else next.delete('lines');
                  setParams(next, { replace: true });
                }}
                options={[
                  { value: 'ALL', label: '全部' },
                  { value: 'FAILED', label: `发放失败（${failed.length}）` },
                ]}
                optionType="button"
              />
            }
          >
            {failed.length > 0 && (
              <Alert
                type="warning"
                showIcon
                style={{ marginBottom: 12 }}
                title={`${failed.length} 笔发放失败，资金已释放回预算`}
                description="请乡镇核实并变更一卡通账户；账户变更后，县区生成的下一发放批次会将这些月份作为补发一并发放（账户未变更的，下一批次列为异常，不会再次打入原账户）。"
              />
            )}
            <ProblemAlert error={lines.error} />
            <Table<BatchLine>
              rowKey="id"
              size="small"
              loading={lines.isLoading}
              pagination={{ pageSize: 50, hideOnSinglePage: true }}
              dataSource={shown}
              locale={{ emptyText: lineFilter === 'FAILED' ? '没有发放失败的行' : '本批次没有发放行' }}
              scroll={{ x: true }}
              columns={[
                { title: '序号', dataIndex: 'lineNo', width: 70 },
                { title: '户名', dataIndex: 'accountName', onCell: nowrap },
                { title: '账号', dataIndex: 'accountNo', onCell: nowrap },
                {
                  title: '家庭',
                  dataIndex: 'householdId',
                  onCell: nowrap,
                  render: (v: string) => <Link to={`/households/${v}`}>查看档案</Link>,
                },
                { title: '期间', dataIndex: 'periods', render: (v: string[]) => periodsText(v) },
                ...amountColumns<BatchLine>(),
                {
                  title: '状态',
                  dataIndex: 'status',
                  onCell: nowrap,
                  render: (v: string) => <StatusTag status={v} labels={LINE_STATUS} />,
                },
                { title: '银行流水号或失败原因', render: (_, l) => l.bankRef ?? l.reason ?? '—' },
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
          </Card>
        )}
      </Space>
      <Modal
        title="退回发放批次"
        open={rejecting}
        okText="退回"
        cancelText="取消"
        okButtonProps={{ danger: true, form: 'reject-batch', htmlType: 'submit', loading: reject.isPending }}
        onCancel={() => setRejecting(false)}
        destroyOnHidden
      >
        <ProblemAlert error={reject.error} />
        <Form
          id="reject-batch"
          layout="vertical"
          onFinish={({ reason }: { reason: string }) => reject.mutate(reason.trim())}
        >
          <Form.Item
            label="退回原因"
            name="reason"
            rules={[{ required: true, whitespace: true, message: '请填写退回原因' }]}
          >
            <Input.TextArea rows={3} maxLength={500} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

/** The batch by funding level and, while it waits for approval, each budget line before and after. */
function BudgetCard({
  impact,
  error,
  loading,
  submitted,
}: {
  impact?: BudgetImpact;
  error: unknown;
  loading: boolean;
  submitted: boolean;
}) {
  type Level = BudgetImpact['levels'][number];
  return (
    <Card title={submitted ? '按资金层级的合计与审批对预算的影响' : '按资金层级的合计'}>
      <ProblemAlert error={error} />
      {submitted && impact && (
        <Alert
          type={impact.sufficient ? 'success' : 'error'}
          showIcon
          style={{ marginBottom: 12 }}
          title={impact.sufficient ? '各级预算指标余额充足，可以审批' : '有预算指标余额不足，审批将被拒绝'}
        />
      )}
      <Table<Level>
        rowKey="fundingLevel"
        size="small"
        loading={loading}
        pagination={false}
        dataSource={impact?.levels ?? []}
        locale={{ emptyText: '本批次没有应发金额' }}
        scroll={{ x: true }}
        summary={() =>
          impact ? (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0}>合计</Table.Summary.Cell>
              <Table.Summary.Cell index={1} align="right">
                <Money value={impact.total} />
              </Table.Summary.Cell>
            </Table.Summary.Row>
          ) : null
        }
        columns={[
          { title: '资金层级', dataIndex: 'fundingLevel', render: (v: string) => label(FUNDING_LEVEL, v) },
          { title: '本批次金额', dataIndex: 'amount', align: 'right', render: (v: string) => <Money value={v} /> },
          ...(submitted
            ? [
                {
                  title: '预算指标',
                  dataIndex: 'appropriated',
                  align: 'right' as const,
                  render: (v: string) => <Money value={v} />,
                },
                {
                  title: '审批前可用',
                  dataIndex: 'availableBefore',
                  align: 'right' as const,
                  render: (v: string) => <Money value={v} />,
                },
                {
                  title: '本次占用',
                  dataIndex: 'toCommit',
                  align: 'right' as const,
                  render: (v: string) => <Money value={v} />,
                },
                {
                  title: '审批后可用',
                  dataIndex: 'availableAfter',
                  align: 'right' as const,
                  // A line that would go below zero is short: shown as a negative amount, in red.
                  render: (v: string) =>
                    v.startsWith('-') ? (
                      <strong style={{ color: '#a8071a' }}>−¥{v.slice(1)}</strong>
                    ) : (
                      <Money value={v} />
                    ),
                },
                {
                  title: '判断',
                  dataIndex: 'shortfall',
                  render: (v: string, l: Level) =>
                    v === '0.00' ? (
                      <ToneTag tone="success">充足</ToneTag>
                    ) : (
                      <ToneTag tone="error">
                        {l.budgetLineExists ? '不足' : '未下达指标'}，差额 ¥{v}
                      </ToneTag>
                    ),
                },
              ]
            : []),
        ]}
      />
    </Card>
  );
}
