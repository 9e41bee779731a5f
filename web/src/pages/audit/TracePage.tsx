import { useQuery } from '@tanstack/react-query';
import { Button, Card, Form, Input, Space, Table } from 'antd';
import { Link, useSearchParams } from 'react-router';
import { api, request, unwrap } from '../../api/client';
import type { Batch, Page, Schemas } from '../../api/types';
import { Money, PageHead, StatusTag } from '../../components/common';
import { ProblemAlert } from '../../components/problem';
import { BATCH_STATUS, label, POLICY } from '../../i18n/labels';

type Household = Schemas['HouseholdListItemDto'];

/** 资金追溯: find a household or a batch, and open the path of its money. */
export default function TracePage() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const households = useQuery({
    queryKey: ['households', q, 'trace'],
    queryFn: () => unwrap(api.GET('/api/v1/households', { params: { query: { q, limit: 20 as never } } })),
    enabled: q !== '',
  });
  const batches = useQuery({
    queryKey: ['batches', 'trace'],
    queryFn: () => request<Page<Batch>>('GET', '/disbursement-batches?limit=100'),
  });
  return (
    <>
      <PageHead title="资金追溯" />
      <Card title="按家庭追溯" style={{ marginBottom: 16 }}>
        <Form
          layout="inline"
          initialValues={{ q }}
          onFinish={({ q: next }: { q?: string }) => setParams(next?.trim() ? { q: next.trim() } : {})}
        >
          <Form.Item label="户号、姓名或身份证号" name="q">
            <Input allowClear style={{ width: 320 }} />
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit">
              查询
            </Button>
          </Space>
        </Form>
        {q && (
          <>
            <ProblemAlert error={households.error} />
            <Table<Household>
              style={{ marginTop: 16 }}
              rowKey="id"
              size="small"
              loading={households.isLoading}
              dataSource={households.data?.items ?? []}
              pagination={false}
              locale={{ emptyText: '没有找到符合条件的家庭' }}
              columns={[
                {
                  title: '户号',
                  dataIndex: 'householdNo',
                  render: (no: string, h) => <Link to={`/audit/households/${h.id}`}>{no}</Link>,
                },
                { title: '户主', render: (_, h) => h.head?.name ?? '—' },
                { title: '地址', dataIndex: 'address' },
                { title: '村（社区）', dataIndex: 'regionCode' },
              ]}
            />
          </>
        )}
      </Card>
      <Card title="按批次追溯">
        <ProblemAlert error={batches.error} />
        <Table<Batch>
          rowKey="id"
          size="small"
          loading={batches.isLoading}
          dataSource={batches.data?.items ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          locale={{ emptyText: '尚无发放批次' }}
          columns={[
            {
              title: '批次号',
              dataIndex: 'batchNo',
              render: (v: string, b) => <Link to={`/audit/batches/${b.id}`}>{v}</Link>,
            },
            { title: '政策', dataIndex: 'policyCode', render: (v: string) => label(POLICY, v) },
            { title: '期间', dataIndex: 'period' },
            {
              title: '状态',
              dataIndex: 'status',
              render: (v: string) => <StatusTag status={v} labels={BATCH_STATUS} />,
            },
            { title: '金额', dataIndex: 'totalAmount', align: 'right', render: (v: string) => <Money value={v} /> },
          ]}
        />
      </Card>
    </>
  );
}
