import { App, Button, Card, Form, Input } from 'antd';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { PageHead } from '../../components/common';
import { ProblemAlert, showFieldProblems } from '../../components/problem';

interface Values {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

export default function ChangePasswordPage() {
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const { message } = App.useApp();

  async function change({ currentPassword, newPassword }: Values) {
    setBusy(true);
    setError(undefined);
    try {
      await unwrap(api.POST('/api/v1/auth/password', { body: { currentPassword, newPassword } }));
      form.resetFields();
      void message.success('密码已修改，下次登录请使用新密码');
    } catch (e) {
      setError(e);
      showFieldProblems(form, e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHead title="修改密码" crumbs={[{ title: '待办', to: '/' }, { title: '修改密码' }]} />
      <Card style={{ maxWidth: 480 }}>
        <ProblemAlert error={error} fieldsShown />
        <Form form={form} layout="vertical" onFinish={(values) => void change(values)}>
          <Form.Item label="当前密码" name="currentPassword" rules={[{ required: true, message: '请输入当前密码' }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Form.Item
            label="新密码"
            name="newPassword"
            extra="至少 8 个字符"
            rules={[
              { required: true, message: '请输入新密码' },
              { min: 8, message: '新密码至少 8 个字符' },
            ]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item
            label="再次输入新密码"
            name="confirm"
            dependencies={['newPassword']}
            rules={[
              { required: true, message: '请再次输入新密码' },
              ({ getFieldValue }) => ({
                validator: (_, value) =>
                  !value || value === getFieldValue('newPassword')
                    ? Promise.resolve()
                    : Promise.reject(new Error('两次输入的新密码不一致')),
              }),
            ]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy}>
            修改密码
          </Button>
        </Form>
      </Card>
    </>
  );
}
