import { useQuery } from '@tanstack/react-query';
import { Button, Card, Space, Table } from 'antd';
import { Link, useSearchParams } from 'react-router';
import { request } from '../../api/client';
import type { Batch, Page } from '../../api/types';
import { useUser } from '../../auth/session';
import { Money, PageHead, StatusTag } from '../../components/common';
import { EnumFilter, PolicyFilter } from '../../components/filters';
import { ProblemAlert } from '../../components/problem';
import { BATCH_STATUS, label, POLICY } from '../../i18n/labels';

/** 发放批次: the county's batches, filtered in the URL. */
export default function BatchesPage() {
  const user = useUser();
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? undefined;
  const policyCode = params.get('policyCode') ?? undefined;
  const list = useQuery({
    queryKey: ['batches', status, policyCode],
    queryFn: () =>
      request<Page<Batch>>(
        'GET',
        `/disbursement-batches?${new URLSearchParams({ limit: '100', ...(status ? { status } : {}), ...(policyCode ? { policyCode } : {}) })}`,
      ),
  });
  const set = (key: string, value?: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next);
  };

  return (
    <>
      <PageHead
        title="发放批次"
        extra={
          user.role === 'OFFICER' && (
            <Link to="/batches/new">
              <Button type="primary">新建发放批次</Button>
            </Link>
          )
        }
      />
      <Card style={{ marginBottom: 16 }}>
        <Space wrap>
          <EnumFilter
            label="状态"
            all="全部状态"
            names={BATCH_STATUS}
            width={180}
            value={status}
            onChange={(v) => set('status', v)}
          />
          <PolicyFilter value={policyCode} onChange={(v) => set('policyCode', v)} />
        </Space>
      </Card>
      <ProblemAlert error={list.error} />
      <Table<Batch>
        rowKey="id"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        locale={{ emptyText: '没有符合条件的批次' }}
        columns={[
          { title: '批次号', dataIndex: 'batchNo', render: (v: string, b) => <Link to={`/batches/${b.id}`}>{v}</Link> },
          { title: '政策', dataIndex: 'policyCode', render: (v: string) => label(POLICY, v) },
          { title: '期间', dataIndex: 'period' },
          { title: '县区', dataIndex: 'countyCode' },
          { title: '状态', dataIndex: 'status', render: (v: string) => <StatusTag status={v} labels={BATCH_STATUS} /> },
          { title: '笔数', dataIndex: 'lineCount', align: 'right' },
          { title: '金额', dataIndex: 'totalAmount', align: 'right', render: (v: string) => <Money value={v} /> },
          { title: '异常', dataIndex: 'exceptionCount', align: 'right' },
        ]}
      />
    </>
  );
}
