import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, Table } from 'antd';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import type { Schemas } from '../../api/types';
import { PageHead } from '../../components/common';
import { ProblemAlert, showFieldProblems } from '../../components/problem';

type Region = Schemas['RegionDto'];

const LEVEL: Record<string, string> = {
  PROVINCE: '省',
  CITY: '市',
  COUNTY: '县（区）',
  TOWNSHIP: '乡镇（街道）',
  VILLAGE: '村（社区）',
};

const CITY = '410100';

/** 行政区划: the city's regions level by level (`?parent=`), and villages added under a township. */
export default function RegionsPage() {
  const [params] = useSearchParams();
  const parent = params.get('parent') ?? CITY;
  const children = useQuery({
    queryKey: ['regions', parent],
    queryFn: () =>
      unwrap(api.GET('/api/v1/regions', { params: { query: { parent, limit: 500 as never } } })) as unknown as Promise<{
        items: Region[];
      }>,
  });
  const township = /^\d{9}$/.test(parent);
  // The way back up: the city, then the county (6 digits) and township (9) of the parent.
  const trail = [CITY, parent.slice(0, 6), parent.slice(0, 9)].filter(
    (code, i, all) => code.length <= parent.length && all.indexOf(code) === i && code !== parent,
  );
  return (
    <>
      <PageHead
        title={`行政区划 ${parent}`}
        crumbs={[
          ...trail.map((code) => ({ title: code === CITY ? '全市' : code, to: `/admin/regions?parent=${code}` })),
          { title: parent === CITY ? '全市' : parent },
        ]}
      />
      {township && <AddVillage township={parent} />}
      <ProblemAlert error={children.error} />
      <Table<Region>
        rowKey="code"
        loading={children.isLoading}
        dataSource={children.data?.items ?? []}
        pagination={{ pageSize: 100, hideOnSinglePage: true }}
        locale={{ emptyText: township ? '该乡镇尚无村（社区），可在上方添加' : '没有下级区划' }}
        columns={[
          {
            title: '代码',
            dataIndex: 'code',
            render: (code: string, r) =>
              r.level === 'VILLAGE' ? code : <Link to={`/admin/regions?parent=${code}`}>{code}</Link>,
          },
          { title: '名称', dataIndex: 'name' },
          { title: '级别', dataIndex: 'level', render: (v: string) => LEVEL[v] ?? v },
        ]}
      />
    </>
  );
}

function AddVillage({ township }: { township: string }) {
  const [form] = Form.useForm<{ suffix: string; name: string }>();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const add = useMutation({
    mutationFn: (v: { suffix: string; name: string }) =>
      unwrap(api.POST('/api/v1/regions', { body: { code: `${township}${v.suffix.trim()}`, name: v.name.trim() } })),
    onSuccess: async (region) => {
      void message.success(`已添加 ${region.name}（${region.code}）`);
      form.resetFields();
      await queryClient.invalidateQueries({ queryKey: ['regions'] });
    },
    onError: (error) => showFieldProblems(form, error, (field) => (field === 'code' ? ['suffix'] : [field])),
  });
  return (
    <Card title="添加村（社区）" style={{ marginBottom: 16 }}>
      <ProblemAlert error={add.error} fieldsShown />
      <Form form={form} layout="inline" onFinish={(v) => add.mutate(v)} style={{ rowGap: 12 }}>
        <Form.Item
          label="村（社区）代码后 3 位"
          name="suffix"
          extra={`完整代码为 ${township} 加这 3 位`}
          rules={[{ required: true, pattern: /^\s*\d{3}\s*$/, message: '3 位数字，如 201' }]}
        >
          <Input style={{ width: 120 }} inputMode="numeric" />
        </Form.Item>
        <Form.Item label="名称" name="name" rules={[{ required: true, whitespace: true, message: '请填写名称' }]}>
          <Input style={{ width: 220 }} placeholder="如 东风村" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={add.isPending}>
          添加
        </Button>
      </Form>
    </Card>
  );
}
