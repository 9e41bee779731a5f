import { DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Progress, Space, Table, Typography, Upload } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { ApiProblem, download, request } from '../../api/client';
import type { Job, Problem, Schemas } from '../../api/types';
import { session } from '../../auth/session';
import { PageHead } from '../../components/common';
import { ProblemAlert } from '../../components/problem';
import { IMPORT_COLUMN, JOB_STATE, label } from '../../i18n/labels';

type Result = Schemas['ImportResultDto'];

/**
 * Sends the file as multipart `file` to POST /households/import-jobs with XMLHttpRequest (whose
 * upload events show the upload), and answers the import job the server starts on it.
 */
function upload(file: File, dryRun: boolean, onProgress: (percent: number) => void): Promise<{ jobId: string }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/households/import-jobs${dryRun ? '?dryRun=true' : ''}`);
    const token = session.token();
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Accept-Language', 'zh-CN');
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((e.loaded / e.total) * 100));
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = { detail: xhr.responseText };
      }
      if (xhr.status === 401) session.expire();
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as { jobId: string });
      else reject(new ApiProblem({ status: xhr.status, ...(body as object) } as Problem));
    };
    xhr.onerror = () => reject(new Error('网络错误，文件未上传'));
    const data = new FormData();
    data.append('file', file);
    xhr.send(data);
  });
}

const finished = (job: Job | undefined) => job?.state === 'completed' || job?.state === 'failed';

/**
 * 批量导入: upload the registry file (CSV or XLSX), check it (a dry run) with the problems listed by
 * row, then import. Both run as a job on the server: the bar is the job's own progress (GET /jobs/:id).
 */
export default function ImportPage() {
  const [file, setFile] = useState<File>();
  const [uploaded, setUploaded] = useState<number>();
  const [running, setRunning] = useState<{ jobId: string; dryRun: boolean }>();
  const [uploadError, setUploadError] = useState<unknown>();
  const [busy, setBusy] = useState<'check' | 'import'>();

  const job = useQuery({
    queryKey: ['job', running?.jobId],
    queryFn: () => request<Job>('GET', `/jobs/${running!.jobId}`),
    enabled: running !== undefined,
    refetchInterval: (query) => (finished(query.state.data) ? false : 400),
  });
  const current = running && job.data?.id === running.jobId ? job.data : undefined;
  const result = current?.state === 'completed' ? (current.result as Result) : undefined;
  const error =
    uploadError ??
    job.error ??
    (current?.state === 'failed'
      ? new ApiProblem({ status: 422, ...(current.error as object) } as Problem)
      : undefined);
  const working = busy !== undefined && (running === undefined || !finished(current)) && !uploadError && !job.error;

  async function run(dryRun: boolean) {
    if (!file) return;
    setBusy(dryRun ? 'check' : 'import');
    setUploadError(undefined);
    setRunning(undefined);
    setUploaded(0);
    try {
      const { jobId } = await upload(file, dryRun, setUploaded);
      setRunning({ jobId, dryRun });
    } catch (e) {
      setUploadError(e);
      setUploaded(undefined);
    }
  }

  const reset = () => {
    setRunning(undefined);
    setUploadError(undefined);
    setUploaded(undefined);
    setBusy(undefined);
  };

  const [templateError, setTemplateError] = useState<unknown>();
  const template = (format: 'xlsx' | 'csv') => {
    setTemplateError(undefined);
    download(`/households/import-template?format=${format}`, `户籍导入模板.${format}`).catch(setTemplateError);
  };

  const rows = error instanceof ApiProblem ? (error.problem.errors ?? []).filter((e) => e.line !== undefined) : [];

  return (
    <>
      <PageHead
        title="批量导入户籍"
        crumbs={[{ title: '户籍档案', to: '/households' }, { title: '批量导入' }]}
        extra={
          <>
            <Button icon={<DownloadOutlined />} onClick={() => template('xlsx')}>
              下载模板（Excel）
            </Button>
            <Button icon={<DownloadOutlined />} onClick={() => template('csv')}>
              下载模板（CSV）
            </Button>
          </>
        }
      />
      <ProblemAlert error={templateError} title="模板未能下载" />
      <Card style={{ marginBottom: 16 }}>
        <Typography.Paragraph>
          每人一行，同一户的行连在一起；先“检查”，无错误后再“导入”。有任何一行出错时整个文件都不会导入。
          按右上角的模板填写：Excel（.xlsx）或 CSV（UTF-8 或 GBK 编码均可），表头可用中文或英文列名。
        </Typography.Paragraph>
        <Upload.Dragger
          accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          maxCount={1}
          beforeUpload={(f) => {
            setFile(f);
            reset();
            return false;
          }}
          onRemove={() => setFile(undefined)}
          fileList={file ? [{ uid: 'file', name: file.name, status: 'done' }] : []}
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p>点击选择或拖入 CSV 或 Excel（.xlsx）文件</p>
        </Upload.Dragger>
        <Space style={{ marginTop: 16 }}>
          <Button onClick={() => void run(true)} disabled={!file || working} loading={working && busy === 'check'}>
            检查（不导入）
          </Button>
          <Button
            type="primary"
            onClick={() => void run(false)}
            disabled={!file || working}
            loading={working && busy === 'import'}
          >
            导入
          </Button>
        </Space>
        {uploaded !== undefined && (
          <div style={{ marginTop: 16 }}>
            <Typography.Text id="import-stage">
              {running === undefined
                ? `正在上传文件（${uploaded}%）`
                : current?.state === 'completed'
                  ? `后台任务已完成（${running.dryRun ? '检查' : '导入'}）`
                  : current?.state === 'failed'
                    ? '未通过，未导入任何数据'
                    : `${running.dryRun ? '正在检查' : '正在导入'}（后台任务：${label(JOB_STATE, current?.state ?? 'waiting')}）`}
            </Typography.Text>
            <Progress
              percent={running === undefined ? 0 : (current?.progress ?? 0)}
              status={error ? 'exception' : working ? 'active' : undefined}
              aria-label="导入进度"
              aria-describedby="import-stage"
            />
          </div>
        )}
      </Card>
      {result && (
        <Alert
          type="success"
          showIcon
          role="status"
          style={{ marginBottom: 16 }}
          title={result.dryRun ? '检查通过，可以导入' : '导入完成'}
          description={
            <>
              {result.dryRun ? '将导入' : '已导入'} {result.households} 户、{result.persons} 人。
              {!result.dryRun && <Link to="/households"> 查看户籍档案</Link>}
            </>
          }
        />
      )}
      <ProblemAlert error={rows.length ? undefined : error} />
      {rows.length > 0 && (
        <Card title={`文件有 ${rows.length} 处错误，未导入`}>
          <Table
            rowKey={(_, i) => String(i)}
            size="small"
            dataSource={rows}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            columns={[
              { title: '行号', dataIndex: 'line', width: 80 },
              {
                title: '列',
                dataIndex: 'field',
                width: 200,
                render: (field: string | undefined) => (field ? `${label(IMPORT_COLUMN, field)}（${field}）` : '—'),
              },
              { title: '问题', dataIndex: 'message' },
            ]}
          />
        </Card>
      )}
    </>
  );
}
