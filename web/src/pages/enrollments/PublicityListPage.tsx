import { PrinterOutlined, DownloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, DatePicker, Form, Input, Space, Table, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useSearchParams } from 'react-router';
import { ApiProblem, download, request } from '../../api/client';
import type { Page, Schemas } from '../../api/types';
import { session, useUser } from '../../auth/session';
import { PageHead } from '../../components/common';
import { ProblemAlert } from '../../components/problem';
import { label, POLICY } from '../../i18n/labels';
import { todayInChina } from '../tasks/tasks';

/** RFC 4180 CSV (the server's csv-stringify output) into rows. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const source = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (quoted) {
      if (c === '"' && source[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && source[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

async function fetchList(query: string): Promise<string[][]> {
  const token = session.token();
  const response = await fetch(`/api/v1/enrollments/publicity-list?${query}`, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  const text = await response.text();
  if (!response.ok) {
    if (response.status === 401) session.expire();
    let body: object = { detail: text };
    try {
      body = JSON.parse(text) as object;
    } catch {
      /* not JSON: keep the text */
    }
    throw new ApiProblem({ status: response.status, ...body });
  }
  return parseCsv(text);
}

/** 公示名单: a township's notices in a date range, to print for the village notice board or download. */
export default function PublicityListPage() {
  const user = useUser();
  const [params, setParams] = useSearchParams();
  const today = todayInChina();
  const township = params.get('townshipCode') ?? (user.regionCode.length === 9 ? user.regionCode : '');
  const from = params.get('from') ?? dayjs(today).subtract(30, 'day').format('YYYY-MM-DD');
  const to = params.get('to') ?? today;
  const query = new URLSearchParams({ townshipCode: township, from, to }).toString();
  const list = useQuery({
    queryKey: ['publicity', query],
    queryFn: () => fetchList(query),
    enabled: township.length === 9,
  });
  const townships = useQuery({
    queryKey: ['regions', township.slice(0, 6)],
    queryFn: () => request<Page<Schemas['RegionDto']>>('GET', `/regions?parent=${township.slice(0, 6)}&limit=500`),
    enabled: township.length === 9,
  });
  const townshipName = townships.data?.items.find((r) => r.code === township)?.name ?? township;
  const [header, ...rows] = list.data ?? [];
  const policyColumn = header?.indexOf('政策代码') ?? -1;

  return (
    <>
      <div className="no-print">
        <PageHead
          title="公示名单"
          crumbs={[{ title: '享受申请', to: '/enrollments' }, { title: '公示名单' }]}
          extra={
            <>
              <Button icon={<PrinterOutlined />} onClick={() => window.print()} disabled={!rows.length}>
                打印
              </Button>
              <Button
                icon={<DownloadOutlined />}
                disabled={!rows.length}
                onClick={() =>
                  void download(`/enrollments/publicity-list?${query}`, `公示名单-${township}-${from}-${to}.csv`)
                }
              >
                下载 CSV
              </Button>
            </>
          }
        />
        <Card style={{ marginBottom: 16 }}>
          <Form
            layout="inline"
            initialValues={{ townshipCode: township, range: [dayjs(from), dayjs(to)] }}
            onFinish={(v: { townshipCode: string; range: [Dayjs, Dayjs] }) =>
              setParams({
                townshipCode: v.townshipCode,
                from: v.range[0].format('YYYY-MM-DD'),
                to: v.range[1].format('YYYY-MM-DD'),
              })
            }
          >
            <Form.Item
              label="乡镇代码（9 位）"
              name="townshipCode"
              rules={[{ required: true, pattern: /^\d{9}$/, message: '乡镇代码为 9 位数字' }]}
            >
              <Input style={{ width: 140 }} inputMode="numeric" />
            </Form.Item>
            <Form.Item label="公示开始日期范围" name="range" rules={[{ required: true, message: '请选择日期范围' }]}>
              <DatePicker.RangePicker format="YYYY-MM-DD" />
            </Form.Item>
            <Space>
              <Button type="primary" htmlType="submit">
                查询
              </Button>
            </Space>
          </Form>
        </Card>
        <ProblemAlert error={list.error} />
      </div>
      <Card>
        <Typography.Title level={3} style={{ textAlign: 'center', fontSize: 20 }}>
          {townshipName} 计划生育奖励扶助对象公示名单
        </Typography.Title>
        <Typography.Paragraph style={{ textAlign: 'center' }}>
          公示开始于 {from} 至 {to} 之间。对名单有异议的，请在公示期内向乡镇计生办反映。
        </Typography.Paragraph>
        <Table
          rowKey={(r) => r[0]}
          size="small"
          loading={list.isLoading}
          pagination={false}
          dataSource={rows}
          locale={{ emptyText: '此期间没有公示的申请' }}
          columns={(header ?? []).map((title, i) => ({
            title: i === policyColumn ? '政策' : title,
            key: String(i),
            render: (_: unknown, r: string[]) => (i === policyColumn ? label(POLICY, r[i]) : r[i]),
          }))}
        />
      </Card>
    </>
  );
}
