import { useQuery } from '@tanstack/react-query';
import { Card, Descriptions, Space, Table } from 'antd';
import { Link, useParams } from 'react-router';
import { request } from '../../api/client';
import { periodsText } from '../finance/finance-api';
import { Money, PageHead, StatusTag } from '../../components/common';
import { ProblemAlert } from '../../components/problem';
import { BATCH_STATUS, ENROLLMENT_STATUS, FUNDING_LEVEL, label, LINE_STATUS, POLICY } from '../../i18n/labels';
import { TRANSFER_CODE, type HouseholdTrace, type TransferTrace } from './trace-types';

type Payment = HouseholdTrace['payments'][number];

/** Ledger transfers behind one line, in words: "银行支付 中央 ¥240.00（区块 #12）". */
export function TransferList({ transfers }: { transfers: TransferTrace[] }) {
  if (transfers.length === 0) return <span>—</span>;
  return (
    <ul style={{ margin: 0, paddingLeft: 18 }}>
      {transfers.map((t) => (
        <li key={t.id}>
          {label(TRANSFER_CODE, t.code)} {t.fundingLevel ? label(FUNDING_LEVEL, t.fundingLevel) : ''} ¥{t.amount}
          （凭证 {t.id}，区块 #{t.blockSeq}）
        </li>
      ))}
    </ul>
  );
}

/** 户资金追溯: every payment line of one household, each linked to its batch's path. */
export default function HouseholdTracePage() {
  const { id = '' } = useParams();
  const trace = useQuery({
    queryKey: ['trace-household', id],
    queryFn: () => request<HouseholdTrace>('GET', `/audit/trace/households/${id}`),
  });
  const t = trace.data;
  if (trace.error) return <ProblemAlert error={trace.error} />;
  if (!t) return <Card loading />;
  return (
    <>
      <PageHead
        title={`户资金追溯 ${t.household.householdNo}`}
        crumbs={[{ title: '资金追溯', to: '/audit/trace' }, { title: t.household.householdNo }]}
        extra={<Link to={`/households/${t.household.id}`}>查看家庭档案</Link>}
      />
      <Space direction="vertical" size={16} style={{ width: '100%' }}>
        <Card>
          <Descriptions column={{ xs: 1, md: 3 }} size="small">
            <Descriptions.Item label="发放行">{t.totals.lines}</Descriptions.Item>
            <Descriptions.Item label="已发放">
              <Money value={t.totals.paid} />
            </Descriptions.Item>
            <Descriptions.Item label="发放失败">
              <Money value={t.totals.failed} />
            </Descriptions.Item>
            <Descriptions.Item label="待发放">
              <Money value={t.totals.pending} />
            </Descriptions.Item>
            <Descriptions.Item label="账本记载的支付">
              <Money value={t.totals.ledgerPaid} />
            </Descriptions.Item>
            <Descriptions.Item label="账本记载的释放">
              <Money value={t.totals.ledgerReleased} />
            </Descriptions.Item>
          </Descriptions>
        </Card>
        <Card title="发放记录">
          <Table<Payment>
            rowKey="lineId"
            size="small"
            pagination={false}
            dataSource={t.payments}
            scroll={{ x: true }}
            locale={{ emptyText: '该户尚无发放记录' }}
            expandable={{
              expandedRowRender: (p) => <TransferList transfers={p.transfers} />,
              rowExpandable: (p) => p.transfers.length > 0,
            }}
            columns={[
              {
                title: '批次',
                dataIndex: 'batchNo',
                render: (v: string, p) => <Link to={`/audit/batches/${p.batchId}`}>{v}</Link>,
              },
              {
                title: '批次状态',
                dataIndex: 'batchStatus',
                render: (v: string) => <StatusTag status={v} labels={BATCH_STATUS} />,
              },
              { title: '政策', dataIndex: 'policyCode', render: (v: string) => label(POLICY, v) },
              { title: '期间', dataIndex: 'periods', render: (v: string[]) => periodsText(v) },
              { title: '金额', dataIndex: 'amount', align: 'right', render: (v: string) => <Money value={v} /> },
              { title: '账号', dataIndex: 'accountNo' },
              {
                title: '状态',
                dataIndex: 'status',
                render: (v: string) => <StatusTag status={v} labels={LINE_STATUS} />,
              },
              { title: '银行流水号或原因', render: (_, p) => p.bankRef ?? p.reason ?? '—' },
            ]}
          />
        </Card>
        <Card title="享受申请">
          <Table
            rowKey="id"
            size="small"
            pagination={false}
            dataSource={t.enrollments}
            locale={{ emptyText: '无' }}
            columns={[
              {
                title: '政策',
                dataIndex: 'policyCode',
                render: (v: string, e) => <Link to={`/enrollments/${e.id}`}>{label(POLICY, v)}</Link>,
              },
              {
                title: '状态',
                dataIndex: 'status',
                render: (v: string) => <StatusTag status={v} labels={ENROLLMENT_STATUS} />,
              },
              { title: '开始享受', dataIndex: 'activeFrom', render: (v: string | null) => v ?? '—' },
            ]}
          />
        </Card>
      </Space>
    </>
  );
}
