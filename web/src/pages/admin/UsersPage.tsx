import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, Modal, Popconfirm, Select, Table } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import type { Schemas } from '../../api/types';
import { PageHead, ToneTag } from '../../components/common';
import { ProblemAlert, showFieldProblems } from '../../components/problem';
import { label, ROLE } from '../../i18n/labels';

type User = Schemas['UserDto'];
type NewUser = Schemas['CreateUserDto'];

/** The region level each role works at, as the server checks it (src/modules/users/user-rules.ts). */
const REGION_HINT: Record<string, string> = {
  CLERK: '乡镇（9 位代码），如 410122101',
  OFFICER: '县区（6 位代码），如 410122',
  FINANCE: '县区或市（6 位代码），如 410122',
  AUDITOR: '任一级区划',
  ADMIN: '市（410100）',
};

/** 用户管理: the accounts of the system, created and disabled here. */
export default function UsersPage() {
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const users = useInfiniteQuery({
    queryKey: ['users'],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/users', { params: { query: { limit: 200 as never, cursor: pageParam || undefined } } }),
      ) as unknown as Promise<{ items: User[]; nextCursor: string | null }>,
    initialPageParam: '',
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const setDisabled = useMutation({
    mutationFn: (user: User) =>
      unwrap(
        api.PATCH('/api/v1/users/{id}', { params: { path: { id: user.id } }, body: { disabled: !user.disabled } }),
      ),
    onSuccess: async (user) => {
      void message.success(user.disabled ? `已停用 ${user.username}，其登录立即失效` : `已启用 ${user.username}`);
      await queryClient.invalidateQueries({ queryKey: ['users'] });
    },
  });
  const rows = users.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <PageHead
        title="用户管理"
        extra={
          <Button type="primary" onClick={() => setCreating(true)}>
            新建用户
          </Button>
        }
      />
      <ProblemAlert error={users.error ?? setDisabled.error} />
      <Table<User>
        rowKey="id"
        loading={users.isLoading}
        dataSource={rows}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        locale={{ emptyText: '尚无用户' }}
        columns={[
          { title: '用户名', dataIndex: 'username' },
          { title: '岗位', dataIndex: 'role', render: (v: string) => label(ROLE, v) },
          { title: '区划', dataIndex: 'regionCode' },
          {
            title: '状态',
            dataIndex: 'disabled',
            render: (v: boolean) =>
              v ? <ToneTag tone="neutral">已停用</ToneTag> : <ToneTag tone="success">在用</ToneTag>,
          },
          { title: '创建时间', dataIndex: 'createdAt', render: (v: string) => dayjs(v).format('YYYY-MM-DD HH:mm') },
          {
            title: '操作',
            render: (_, u) => (
              <Popconfirm
                title={u.disabled ? `启用 ${u.username}？` : `停用 ${u.username}？停用后其登录立即失效。`}
                okText={u.disabled ? '启用' : '停用'}
                cancelText="取消"
                onConfirm={() => setDisabled.mutate(u)}
              >
                <Button size="small" danger={!u.disabled} aria-label={`${u.disabled ? '启用' : '停用'} ${u.username}`}>
                  {u.disabled ? '启用' : '停用'}
                </Button>
              </Popconfirm>
            ),
          },
        ]}
      />
      {users.hasNextPage && (
        <Button style={{ marginTop: 12 }} onClick={() => void users.fetchNextPage()}>
          加载更多
        </Button>
      )}
      {creating && <CreateUserDialog onClose={() => setCreating(false)} />}
    </>
  );
}

function CreateUserDialog({ onClose }: { onClose: () => void }) {
  const [form] = Form.useForm<NewUser>();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const role = Form.useWatch('role', form);
  const create = useMutation({
    mutationFn: (body: NewUser) => unwrap(api.POST('/api/v1/users', { body })),
    onSuccess: async (user) => {
      void message.success(`已创建用户 ${user.username}`);
      await queryClient.invalidateQueries({ queryKey: ['users'] });
      onClose();
    },
    onError: (error) => showFieldProblems(form, error),
  });
  return (
    <Modal
      open
      title="新建用户"
      okText="创建"
      cancelText="取消"
      onCancel={onClose}
      okButtonProps={{ htmlType: 'submit', form: 'create-user', loading: create.isPending }}
    >
      <ProblemAlert error={create.error} fieldsShown />
      <Form
        id="create-user"
        form={form}
        layout="vertical"
        onFinish={(v) => create.mutate({ ...v, username: v.username.trim(), regionCode: v.regionCode.trim() })}
      >
        <Form.Item
          label="用户名"
          name="username"
          rules={[
            { required: true, pattern: /^\s*[A-Za-z0-9._-]{3,64}\s*$/, message: '3-64 位字母、数字、点、横线或下划线' },
          ]}
        >
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item
          label="初始密码"
          name="password"
          rules={[{ required: true, min: 8, max: 200, message: '密码为 8-200 个字符' }]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item label="岗位" name="role" rules={[{ required: true, message: '请选择岗位' }]}>
          <Select options={Object.entries(ROLE).map(([value, text]) => ({ value, label: text }))} />
        </Form.Item>
        <Form.Item
          label="区划代码"
          name="regionCode"
          extra={role ? `该岗位的区划：${REGION_HINT[role]}` : undefined}
          rules={[{ required: true, pattern: /^\s*\d{6}(\d{3}){0,2}\s*$/, message: '区划代码为 6、9 或 12 位数字' }]}
        >
          <Input inputMode="numeric" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
