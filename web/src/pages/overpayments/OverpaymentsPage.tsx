import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Select, Space, Table } from 'antd';
import { Link, useSearchParams } from 'react-router';
import { request } from '../../api/client';
import type { Page } from '../../api/types';
import { useUser } from '../../auth/session';
import { Money, PageHead, ToneTag } from '../../components/common';
import { EnumFilter } from '../../components/filters';
import { ProblemAlert } from '../../components/problem';
import { CLAIM_STATUS, label, POLICY } from '../../i18n/labels';
import type { Claim, Region } from './overpayments-api';

const STATUS_TONE: Record<string, 'info' | 'warning' | 'success' | 'neutral'> = {
  OPEN: 'warning',
  RECOVERING: 'info',
  WRITE_OFF_PROPOSED: 'warning',
  RECOVERED: 'success',
  WRITTEN_OFF: 'neutral',
  WITHDRAWN: 'neutral',
};

/** A claim's status in words, toned. */
export const ClaimStatusTag = ({ status }: { status: string }) => (
  <ToneTag tone={STATUS_TONE[status] ?? 'neutral'}>{label(CLAIM_STATUS, status)}</ToneTag>
);

/**
 * 多付追回: the claims of the user's region (FINANCE, AUDITOR, OFFICER), filtered by status and by a
 * region inside the user's, both kept in the URL.
 */
export default function OverpaymentsPage() {
  const user = useUser();
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? undefined;
  const regionCode = params.get('regionCode') ?? undefined;
  const setFilter = (key: string, value: string | undefined) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  const regions = useQuery({
    queryKey: ['regions', user.regionCode],
    queryFn: () => request<Page<Region>>('GET', `/regions?parent=${user.regionCode}&limit=200`),
  });
  const claims = useInfiniteQuery({
    queryKey: ['overpayments', status, regionCode],
    queryFn: ({ pageParam }) => {
      const query = new URLSearchParams({ limit: '100' });
      if (status) query.set('status', status);
      if (regionCode) query.set('regionCode', regionCode);
      if (pageParam) query.set('cursor', pageParam);
      return request<Page<Claim>>('GET', `/overpayments?${query}`);
    },
    initialPageParam: '',
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const rows = claims.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <PageHead title="多付追回" />
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 16 }}
        title="迟报的死亡、更正等事件使已发放的月份不再应发时，系统按受益人和政策立追回单"
        description="追回方式：该户此后的现金发放按比例抵扣（每笔至多按政策规定的比例，默认一半）、财政登记退款，或经提议并由另一名财政人员批准核销。"
      />
      <Card style={{ marginBottom: 16 }}>
        <Space wrap size={16}>
          <EnumFilter
            label="状态"
            all="全部状态"
            names={CLAIM_STATUS}
            value={status}
            onChange={(v) => setFilter('status', v)}
            width={200}
          />
          <Form.Item label="区域" style={{ margin: 0 }}>
            <Select
              aria-label="区域"
              allowClear
              showSearch
              optionFilterProp="label"
              placeholder="本人管辖全部区域"
              style={{ width: 260 }}
              loading={regions.isLoading}
              value={regionCode}
              onChange={(v?: string) => setFilter('regionCode', v)}
              options={(regions.data?.items ?? []).map((r) => ({ value: r.code, label: `${r.name}（${r.code}）` }))}
            />
          </Form.Item>
        </Space>
      </Card>
      <ProblemAlert error={claims.error ?? regions.error} />
      <Table<Claim>
        rowKey="id"
        size="small"
        loading={claims.isLoading}
        dataSource={rows}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        scroll={{ x: true }}
        locale={{ emptyText: '没有符合条件的追回单' }}
        columns={[
          {
            title: '追回单号',
            dataIndex: 'claimNo',
            render: (v: string, c) => <Link to={`/overpayments/${c.id}`}>{v}</Link>,
          },
          { title: '政策', dataIndex: 'policyCode', render: (v: string) => label(POLICY, v) },
          { title: '村（社区）', dataIndex: 'regionCode' },
          { title: '状态', dataIndex: 'status', render: (v: string) => <ClaimStatusTag status={v} /> },
          { title: '多付期数', render: (_, c) => c.lines.filter((l) => !l.withdrawnAt).length, align: 'right' },
          { title: '应追金额', dataIndex: 'amount', align: 'right', render: (v: string) => <Money value={v} /> },
          { title: '已追回', dataIndex: 'recovered', align: 'right', render: (v: string) => <Money value={v} /> },
          { title: '已核销', dataIndex: 'writtenOff', align: 'right', render: (v: string) => <Money value={v} /> },
          { title: '未追回', dataIndex: 'outstanding', align: 'right', render: (v: string) => <Money value={v} /> },
          { title: '立单日期', dataIndex: 'openedAt', render: (v: string) => v.slice(0, 10) },
        ]}
      />
      {claims.hasNextPage && (
        <Button
          style={{ marginTop: 12 }}
          loading={claims.isFetchingNextPage}
          onClick={() => void claims.fetchNextPage()}
        >
          加载更多
        </Button>
      )}
    </>
  );
}
