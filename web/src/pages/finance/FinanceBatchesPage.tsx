import { useQuery } from '@tanstack/react-query';
import { Table, Tabs } from 'antd';
import { Link, useSearchParams } from 'react-router';
import { request } from '../../api/client';
import type { Batch, Page } from '../../api/types';
import { Money, PageHead, StatusTag } from '../../components/common';
import { ProblemAlert } from '../../components/problem';
import { BATCH_STATUS, label, POLICY } from '../../i18n/labels';

/** The steps finance takes a batch through, as tabs; the tab is in the URL (`?status=`). */
const STEPS: { status: string; title: string }[] = [
  { status: 'SUBMITTED', title: '待审批' },
  { status: 'APPROVED', title: '待导出银行文件' },
  { status: 'EXPORTED', title: '待导入回盘' },
  { status: 'SETTLED', title: '已结算' },
  { status: 'CLOSED', title: '已关闭' },
  { status: 'REJECTED', title: '已退回' },
];

/** 财政审批: the county's batches by the step finance is at with them. */
export default function FinanceBatchesPage() {
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? 'SUBMITTED';
  const list = useQuery({
    queryKey: ['batches', status, 'finance'],
    queryFn: () =>
      request<Page<Batch>>('GET', `/disbursement-batches?${new URLSearchParams({ status, limit: '200' })}`),
  });
  return (
    <>
      <PageHead title="财政审批与发放" />
      <Tabs
        activeKey={status}
        onChange={(key) => setParams({ status: key })}
        items={STEPS.map((s) => ({ key: s.status, label: s.title }))}
      />
      <ProblemAlert error={list.error} />
      <Table<Batch>
        rowKey="id"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        locale={{ emptyText: '没有这一步的批次' }}
        columns={[
          {
            title: '批次号',
            dataIndex: 'batchNo',
            render: (v: string, b) => <Link to={`/finance/batches/${b.id}`}>{v}</Link>,
          },
          { title: '政策', dataIndex: 'policyCode', render: (v: string) => label(POLICY, v) },
          { title: '期间', dataIndex: 'period' },
          { title: '县区', dataIndex: 'countyCode' },
          { title: '状态', dataIndex: 'status', render: (v: string) => <StatusTag status={v} labels={BATCH_STATUS} /> },
          { title: '笔数', dataIndex: 'lineCount', align: 'right' },
          { title: '金额', dataIndex: 'totalAmount', align: 'right', render: (v: string) => <Money value={v} /> },
        ]}
      />
    </>
  );
}
