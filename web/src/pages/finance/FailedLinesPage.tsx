import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Form, InputNumber, Table } from 'antd';
import { Link, useSearchParams } from 'react-router';
import { Money, PageHead, StatusTag, ToneTag } from '../../components/common';
import { ProblemAlert } from '../../components/problem';
import { label, LINE_STATUS, POLICY } from '../../i18n/labels';
import { awaitingReissue, failedPayments, thisYear, type Report } from './finance-api';

type Row = Report['items'][number];

/** 发放失败待补发: every failed line of the year, with the bank's reason and its reissue. */
export default function FailedLinesPage() {
  const [params, setParams] = useSearchParams();
  const fiscalYear = Number(params.get('fiscalYear') ?? thisYear());
  const report = useQuery({ queryKey: ['failed-payments', fiscalYear], queryFn: () => failedPayments(fiscalYear) });
  const rows = report.data?.items ?? [];
  const waiting = rows.filter(awaitingReissue).length;
  return (
    <>
      <PageHead title="发放失败与补发" />
      <Card style={{ marginBottom: 16 }}>
        <Form.Item label="预算年度" style={{ margin: 0 }}>
          <InputNumber
            aria-label="预算年度"
            min={2000}
            max={2100}
            value={fiscalYear}
            onChange={(v) => v && setParams({ fiscalYear: String(v) }, { replace: true })}
          />
        </Form.Item>
      </Card>
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 16 }}
        title={`${rows.length} 笔发放失败，其中 ${waiting} 笔待补发`}
        description="发放失败的资金已释放回预算。乡镇为该户变更一卡通账户后，县区生成的下一发放批次会将失败的月份作为补发一并发放；补发批次经财政审批、导出和回盘后，这里显示补发结果。"
      />
      <ProblemAlert error={report.error} />
      <Table<Row>
        rowKey={(r) => String(r.lineId)}
        size="small"
        loading={report.isLoading}
        dataSource={rows}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        scroll={{ x: true }}
        locale={{ emptyText: '本年度没有发放失败的行' }}
        columns={[
          { title: '批次', dataIndex: 'batchNo' },
          { title: '序号', dataIndex: 'lineNo' },
          { title: '政策', dataIndex: 'policyCode', render: (v: string) => label(POLICY, v) },
          { title: '期间', dataIndex: 'period' },
          { title: '户号', dataIndex: 'householdNo' },
          { title: '金额', dataIndex: 'amount', align: 'right', render: (v: string) => <Money value={v} /> },
          { title: '失败原因', dataIndex: 'reason' },
          {
            title: '补发',
            render: (_, r) =>
              r.reissuedBatchNo ? (
                <span>
                  {String(r.reissuedBatchNo)} <StatusTag status={String(r.reissuedStatus)} labels={LINE_STATUS} />
                </span>
              ) : (
                <ToneTag tone="warning">待补发</ToneTag>
              ),
          },
        ]}
      />
      <p style={{ marginTop: 12 }}>
        <Link to="/finance/batches?status=EXPORTED">去导入回盘</Link>
      </p>
    </>
  );
}
