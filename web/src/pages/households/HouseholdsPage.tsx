import { useQuery } from '@tanstack/react-query';
import { Button, Card, Form, Input, Space, Table } from 'antd';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import type { Schemas } from '../../api/types';
import { useUser } from '../../auth/session';
import { PageHead } from '../../components/common';
import { ProblemAlert } from '../../components/problem';

type Item = Schemas['HouseholdListItemDto'];

/** 户籍档案: search by household number, a member's name or an ID number; the filter lives in the URL. */
export default function HouseholdsPage() {
  const user = useUser();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const cursor = params.get('cursor') ?? undefined;
  const result = useQuery({
    queryKey: ['households', q, cursor],
    queryFn: () =>
      unwrap(api.GET('/api/v1/households', { params: { query: { q: q || undefined, cursor, limit: 20 as never } } })),
  });

  return (
    <>
      <PageHead
        title="户籍档案"
        extra={
          user.role === 'CLERK' && (
            <>
              <Link to="/households/import">
                <Button>批量导入</Button>
              </Link>
              <Link to="/households/new">
                <Button type="primary">登记新户</Button>
              </Link>
            </>
          )
        }
      />
      <Card style={{ marginBottom: 16 }}>
        <Form
          layout="inline"
          initialValues={{ q }}
          onFinish={({ q: next }: { q?: string }) => setParams(next?.trim() ? { q: next.trim() } : {})}
        >
          <Form.Item label="户号、姓名或身份证号" name="q">
            <Input allowClear style={{ width: 320 }} placeholder="如 HS-001、张、410122195503100011" />
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit">
              查询
            </Button>
          </Space>
        </Form>
      </Card>
      <ProblemAlert error={result.error} />
      <Table<Item>
        rowKey="id"
        loading={result.isLoading}
        dataSource={result.data?.items ?? []}
        pagination={false}
        locale={{ emptyText: q ? '没有找到符合条件的家庭' : '暂无家庭档案' }}
        columns={[
          {
            title: '户号',
            dataIndex: 'householdNo',
            render: (no: string, h) => <Link to={`/households/${h.id}`}>{no}</Link>,
          },
          { title: '户主', render: (_, h) => h.head?.name ?? '—' },
          { title: '户主身份证号', render: (_, h) => h.head?.idNumber ?? '—' },
          { title: '地址', dataIndex: 'address' },
          { title: '村（社区）', dataIndex: 'regionCode' },
          { title: '人数', dataIndex: 'memberCount', align: 'right' },
        ]}
      />
      {result.data?.nextCursor && (
        <div style={{ marginTop: 16, textAlign: 'right' }}>
          <Link to={`/households?${new URLSearchParams({ ...(q ? { q } : {}), cursor: result.data.nextCursor })}`}>
            下一页
          </Link>
        </div>
      )}
    </>
  );
}
