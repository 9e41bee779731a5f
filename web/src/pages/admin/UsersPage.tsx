import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Form, Input, Modal, Popconfirm, Select, Space, Table } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import type { Schemas } from '../../api/types';
import { PageHead, ToneTag } from '../../components/common';
import { ProblemAlert, showFieldProblems } from '../../components/problem';
import { label, ROLE } from '../../i18n/labels';

type User = Schemas['UserDto'];
type NewUser = Schemas['CreateUserDto'];
type UserChange = Schemas['UpdateUserDto'];

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
  const [editing, setEditing] = useState<User>();
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
          { title: '姓名', dataIndex: 'realName', render: (v: string | null) => v ?? '—' },
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
              <Space>
                <Button size="small" aria-label={`修改 ${u.username}`} onClick={() => setEditing(u)}>
                  修改
                </Button>
                <Popconfirm
                  title={u.disabled ? `启用 ${u.username}？` : `停用 ${u.username}？停用后其登录立即失效。`}
                  okText={u.disabled ? '启用' : '停用'}
                  cancelText="取消"
                  onConfirm={() => setDisabled.mutate(u)}
                >
                  <Button
                    size="small"
                    danger={!u.disabled}
                    aria-label={`${u.disabled ? '启用' : '停用'} ${u.username}`}
                  >
                    {u.disabled ? '启用' : '停用'}
                  </Button>
                </Popconfirm>
              </Space>
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
      {editing && <EditUserDialog user={editing} onClose={() => setEditing(undefined)} />}
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
        onFinish={(v) =>
          create.mutate({
            ...v,
            username: v.username.trim(),
            regionCode: v.regionCode.trim(),
            realName: v.realName?.trim() || undefined,
          })
        }
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
        <Form.Item label="姓名" name="realName" rules={[{ max: 50, message: '姓名最多 50 个字' }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item
          label="初始密码"
          name="password"
          rules={[{ required: true, min: 8, max: 200, message: '密码为 8-200 个字符' }]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <RoleRegionFields role={role} />
      </Form>
    </Modal>
  );
}

const roleOptions = Object.entries(ROLE).map(([value, text]) => ({ value, label: text }));

/** The role and its region, which the server checks together; the hint says the level the role needs. */
function RoleRegionFields({ role }: { role?: string }) {
  return (
    <>
      <Form.Item label="岗位" name="role" rules={[{ required: true, message: '请选择岗位' }]}>
        <Select showSearch={{ optionFilterProp: 'label' }} options={roleOptions} />
      </Form.Item>
      <Form.Item
        label="区划代码"
        name="regionCode"
        extra={role ? `该岗位的区划：${REGION_HINT[role]}` : undefined}
        rules={[{ required: true, pattern: /^\s*\d{6}(\d{3}){0,2}\s*$/, message: '区划代码为 6、9 或 12 位数字' }]}
      >
        <Input inputMode="numeric" />
      </Form.Item>
    </>
  );
}

/** 修改用户: role and region (checked together by the server), real name, and a password reset. */
function EditUserDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const [form] = Form.useForm<{ role: User['role']; regionCode: string; realName?: string; password?: string }>();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const role = Form.useWatch('role', form);
  const save = useMutation({
    mutationFn: (body: UserChange) =>
      unwrap(api.PATCH('/api/v1/users/{id}', { params: { path: { id: user.id } }, body })),
    onSuccess: async (saved, body) => {
      void message.success(body.password ? `已保存 ${saved.username}，密码已重置` : `已保存 ${saved.username}`);
      await queryClient.invalidateQueries({ queryKey: ['users'] });
      onClose();
    },
    onError: (error) => showFieldProblems(form, error),
  });
  return (
    <Modal
      open
      title={`修改用户 ${user.username}`}
      okText="保存"
      cancelText="取消"
      onCancel={onClose}
      okButtonProps={{ htmlType: 'submit', form: 'edit-user', loading: save.isPending }}
    >
      <ProblemAlert error={save.error} fieldsShown />
      <Form
        id="edit-user"
        form={form}
        layout="vertical"
        initialValues={{ role: user.role, regionCode: user.regionCode, realName: user.realName ?? '' }}
        onFinish={(v) => {
          // Only what changed is sent: the server audits each change with its before and after.
          const body: UserChange = {};
          if (v.role !== user.role) body.role = v.role;
          if (v.regionCode.trim() !== user.regionCode) body.regionCode = v.regionCode.trim();
          const realName = v.realName?.trim() || null;
          if (realName !== (user.realName ?? null)) body.realName = realName;
          if (v.password) body.password = v.password;
          if (Object.keys(body).length === 0) return onClose();
          save.mutate(body);
        }}
      >
        <Form.Item label="姓名" name="realName" rules={[{ max: 50, message: '姓名最多 50 个字' }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <RoleRegionFields role={role} />
        <Form.Item
          label="重置密码（不改则留空）"
          name="password"
          rules={[{ min: 8, max: 200, message: '密码为 8-200 个字符' }]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
