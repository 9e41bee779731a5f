import { useQuery } from '@tanstack/react-query';
import { Table } from 'antd';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { PageHead } from '../../components/common';
import { ProblemAlert } from '../../components/problem';
import { label, POLICY } from '../../i18n/labels';
import { amountText, sharesText, type Fact } from './policy-text';

interface Summary {
  code: string;
  benefitKind: string;
  frequency: string;
  currentVersion: { versionNo: number; effectiveFrom: string; amount: unknown; fundingShares: unknown } | null;
}

export const FREQUENCY: Record<string, string> = {
  MONTHLY: '按月',
  ANNUAL: '按年',
  ONE_TIME: '一次性',
  STANDING: '长期（非现金）',
};

export function useFacts() {
  return useQuery({
    queryKey: ['facts'],
    queryFn: () => unwrap(api.GET('/api/v1/policies/facts')) as Promise<Fact[]>,
    staleTime: Infinity,
  });
}

/** 政策管理: the policies with the version in force today. */
export default function PoliciesPage() {
  const facts = useFacts();
  const policies = useQuery({
    queryKey: ['policies', 'admin'],
    queryFn: () =>
      unwrap(api.GET('/api/v1/policies', { params: { query: { limit: 100 as never } } })) as unknown as Promise<{
        items: Summary[];
      }>,
  });
  return (
    <>
      <PageHead title="政策管理" />
      <ProblemAlert error={policies.error} />
      <Table<Summary>
        rowKey="code"
        loading={policies.isLoading}
        dataSource={policies.data?.items ?? []}
        pagination={false}
        scroll={{ x: true }}
        columns={[
          {
            title: '政策',
            dataIndex: 'code',
            render: (code: string) => <Link to={`/admin/policies/${code}`}>{label(POLICY, code)}</Link>,
          },
          { title: '发放方式', dataIndex: 'frequency', render: (v: string) => FREQUENCY[v] ?? v },
          {
            title: '现行版本',
            render: (_, p) =>
              p.currentVersion ? `第 ${p.currentVersion.versionNo} 版，${p.currentVersion.effectiveFrom} 起` : '—',
          },
          {
            title: '标准',
            render: (_, p) => (p.currentVersion ? amountText(p.currentVersion.amount, facts.data ?? []) : '—'),
          },
          {
            title: '资金分担',
            render: (_, p) => (p.currentVersion ? sharesText(p.currentVersion.fundingShares) : '—'),
          },
        ]}
      />
    </>
  );
}
