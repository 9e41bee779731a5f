import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client';
import type { Role } from '../api/types';
import { ProblemAlert } from '../components/problem';
import { session, useSession } from './session';

/** Only paths inside the console: `next` never sends the user to another site. */
const safeNext = (next: string | null) => (next && next.startsWith('/') && !next.startsWith('//') ? next : '/');

export default function LoginPage() {
  const state = useSession();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const next = safeNext(params.get('next'));

  if (state.status === 'signed-in') return <Navigate to={next} replace />;

  async function signIn(values: { username: string; password: string }) {
    setBusy(true);
    setError(undefined);
    try {
      const answer = await unwrap(api.POST('/api/v1/auth/login', { body: values }));
      session.start(answer.accessToken, { ...answer.user, role: answer.user.role as Role }, answer.expiresIn);
      void navigate(next, { replace: true });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main
      style={{
        minHeight: '100vh',
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
        background: 'linear-gradient(180deg, #fbeeee 0%, #f5f5f5 60%)',
        padding: 16,
      }}
    >
      <Card style={{ width: 400, maxWidth: '100%' }}>
        <Typography.Title level={1} style={{ fontSize: 24, textAlign: 'center', marginBottom: 4 }}>
          一卡通 · 计划生育奖励扶助
        </Typography.Title>
        <Typography.Paragraph type="secondary" style={{ textAlign: 'center' }}>
          乡镇、县区经办人员登录
        </Typography.Paragraph>
        {state.status === 'expired' && (
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 16 }}
            title="登录已过期，请重新登录，登录后回到刚才的页面。"
          />
        )}
        <ProblemAlert error={error} title="登录未成功" />
        <Form layout="vertical" onFinish={(values) => void signIn(values)} requiredMark={false}>
          <Form.Item label="用户名" name="username" rules={[{ required: true, message: '请输入用户名' }]}>
            <Input autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item label="密码" name="password" rules={[{ required: true, message: '请输入密码' }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy} size="large">
            登录
          </Button>
        </Form>
      </Card>
    </main>
  );
}
