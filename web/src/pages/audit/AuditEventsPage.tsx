import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Card, DatePicker, Form, Input, Space, Table } from 'antd';
import dayjs from 'dayjs';
import { useSearchParams } from 'react-router';
import { request } from '../../api/client';
import type { Page, Schemas } from '../../api/types';
import { PageHead } from '../../components/common';
import { ProblemAlert } from '../../components/problem';
import { label, ROLE } from '../../i18n/labels';

type AuditEvent = Schemas['AuditEventDto'];

/** The server's filters (exact) and the console's own over the pages read (the address). */
const SERVER_FILTERS = ['actorId', 'action', 'entityType', 'entityId', 'requestId', 'from', 'to'] as const;

const show = (value: unknown) =>
  value === undefined ? '（无）' : value === null ? '空' : typeof value === 'string' ? value : JSON.stringify(value);

/** What one change did: each field whose value differs between before and after. */
export function changes(before: unknown, after: unknown): { field: string; before: unknown; after: unknown }[] {
  const b = (before && typeof before === 'object' ? before : {}) as Record<string, unknown>;
  const a = (after && typeof after === 'object' ? after : {}) as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return fields
    .filter((field) => JSON.stringify(b[field]) !== JSON.stringify(a[field]))
    .map((field) => ({ field, before: b[field], after: a[field] }));
}

function Difference({ event }: { event: AuditEvent }) {
  const rows = changes(event.before, event.after);
  if (rows.length === 0) return <span>此事件没有记录字段变化。</span>;
  return (
    <Table
      rowKey="field"
      size="small"
      pagination={false}
      dataSource={rows}
      aria-label="变更前后对比"
      columns={[
        { title: '字段', dataIndex: 'field', width: 200 },
        {
          title: '变更前',
          dataIndex: 'before',
          render: (v: unknown) => <del style={{ color: '#820014', wordBreak: 'break-all' }}>{show(v)}</del>,
        },
        {
          title: '变更后',
          dataIndex: 'after',
          render: (v: unknown) => <ins style={{ color: '#135200', wordBreak: 'break-all' }}>{show(v)}</ins>,
        },
      ]}
    />
  );
}

interface Values {
  actorId?: string;
  action?: string;
  entityType?: string;
  entityId?: string;
  address?: string;
  range?: [dayjs.Dayjs, dayjs.Dayjs] | null;
}

/** 审计日志: who did what, when and from where, with each change's before and after. */
export default function AuditEventsPage() {
  const [params, setParams] = useSearchParams();
  const query = new URLSearchParams({ limit: '200', order: 'desc' });
  for (const key of SERVER_FILTERS) {
    const value = params.get(key);
    if (value) query.set(key, value);
  }
  const address = params.get('address') ?? '';
  const events = useInfiniteQuery({
    queryKey: ['audit-events', query.toString()],
    queryFn: ({ pageParam }) =>
      request<Page<AuditEvent>>(
        'GET',
        `/audit/events?${query}${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`,
      ),
    initialPageParam: '',
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const rows = (events.data?.pages.flatMap((p) => p.items) ?? []).filter(
    (e) => !address || (e.address ?? '').includes(address),
  );
  const filterBy = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    next.set(key, value);
    setParams(next);
  };

  return (
    <>
      <PageHead title="审计日志" />
      <Card style={{ marginBottom: 16 }}>
        <Form<Values>
          layout="inline"
          initialValues={{
            actorId: params.get('actorId') ?? undefined,
            action: params.get('action') ?? undefined,
            entityType: params.get('entityType') ?? undefined,
            entityId: params.get('entityId') ?? undefined,
            address: address || undefined,
            range: params.get('from') && params.get('to') ? [dayjs(params.get('from')), dayjs(params.get('to'))] : null,
          }}
          onFinish={(v) => {
            const next = new URLSearchParams();
            for (const key of ['actorId', 'action', 'entityType', 'entityId', 'address'] as const) {
              if (v[key]?.trim()) next.set(key, v[key]!.trim());
            }
            if (v.range) {
              next.set('from', v.range[0].startOf('day').toISOString());
              next.set('to', v.range[1].endOf('day').toISOString());
            }
            setParams(next);
          }}
          style={{ rowGap: 12 }}
        >
          <Form.Item label="操作人编号" name="actorId">
            <Input allowClear style={{ width: 300 }} placeholder="点击日志中的操作人可直接筛选" />
          </Form.Item>
          <Form.Item label="操作" name="action">
            <Input allowClear style={{ width: 200 }} placeholder="如 batch.approved" />
          </Form.Item>
          <Form.Item label="对象类型" name="entityType">
            <Input allowClear style={{ width: 180 }} placeholder="如 disbursement_batch" />
          </Form.Item>
          <Form.Item label="对象编号" name="entityId">
            <Input allowClear style={{ width: 300 }} />
          </Form.Item>
          <Form.Item label="时间范围" name="range">
            <DatePicker.RangePicker aria-label="时间范围" />
          </Form.Item>
          <Form.Item label="来源地址" name="address">
            <Input allowClear style={{ width: 180 }} placeholder="如 10.2." />
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit">
              查询
            </Button>
            <Button htmlType="button" onClick={() => setParams({})}>
              清空
            </Button>
          </Space>
        </Form>
      </Card>
      <ProblemAlert error={events.error} />
      <Table<AuditEvent>
        rowKey="id"
        size="small"
        loading={events.isLoading}
        dataSource={rows}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        scroll={{ x: true }}
        locale={{ emptyText: '没有符合条件的审计事件' }}
        expandable={{ expandedRowRender: (e) => <Difference event={e} /> }}
        columns={[
          { title: '编号', dataIndex: 'id', width: 80 },
          {
            title: '时间',
            dataIndex: 'occurredAt',
            render: (v: string) => dayjs(v).format('YYYY-MM-DD HH:mm:ss'),
          },
          {
            title: '操作人',
            render: (_, e) =>
              e.actorId ? (
                <Button type="link" size="small" style={{ padding: 0 }} onClick={() => filterBy('actorId', e.actorId!)}>
                  {e.actorUsername ?? e.actorId}
                  {e.actorRole ? `（${label(ROLE, e.actorRole)}）` : ''}
                </Button>
              ) : (
                '系统'
              ),
          },
          {
            title: '操作',
            dataIndex: 'action',
            render: (v: string) => (
              <Button type="link" size="small" style={{ padding: 0 }} onClick={() => filterBy('action', v)}>
                {v}
              </Button>
            ),
          },
          { title: '对象', render: (_, e) => `${e.entityType}${e.entityId ? ` ${e.entityId}` : ''}` },
          { title: '来源地址', dataIndex: 'address', render: (v: string | null) => v ?? '—' },
          { title: '区划', dataIndex: 'regionCode', render: (v: string | null) => v ?? '—' },
        ]}
      />
      {events.hasNextPage && (
        <Button
          style={{ marginTop: 12 }}
          loading={events.isFetchingNextPage}
          onClick={() => void events.fetchNextPage()}
        >
          加载更多
        </Button>
      )}
    </>
  );
}
