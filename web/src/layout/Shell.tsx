import {
  AuditOutlined,
  BankOutlined,
  CheckSquareOutlined,
  FileTextOutlined,
  HomeOutlined,
  LogoutOutlined,
  KeyOutlined,
  AccountBookOutlined,
  BarChartOutlined,
  ClusterOutlined,
  FileSearchOutlined,
  SafetyCertificateOutlined,
  RollbackOutlined,
  ScheduleOutlined,
  SettingOutlined,
  TeamOutlined,
  WarningOutlined,
} from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Badge, Button, Layout, Menu, Space, Spin, Typography } from 'antd';
import { Suspense } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import type { Role } from '../api/types';
import { session, useUser } from '../auth/session';
import { ROLE } from '../i18n/labels';
import { useTasks } from '../pages/tasks/tasks';

interface Entry {
  key: string;
  label: string;
  icon: React.ReactNode;
  roles: Role[];
}

/** The menu a role sees; the server refuses the rest all the same. */
const ENTRIES: Entry[] = [
  { key: '/households', label: '户籍档案', icon: <HomeOutlined />, roles: ['CLERK', 'OFFICER', 'AUDITOR'] },
  { key: '/households/new', label: '登记新户', icon: <FileTextOutlined />, roles: ['CLERK'] },
  { key: '/households/import', label: '批量导入', icon: <FileTextOutlined />, roles: ['CLERK'] },
  { key: '/enrollments', label: '享受申请', icon: <AuditOutlined />, roles: ['CLERK', 'OFFICER', 'AUDITOR'] },
  { key: '/enrollments/publicity', label: '公示名单', icon: <AuditOutlined />, roles: ['CLERK', 'OFFICER', 'AUDITOR'] },
  { key: '/batches', label: '发放批次', icon: <BankOutlined />, roles: ['OFFICER', 'AUDITOR'] },
  { key: '/finance/batches', label: '财政审批与发放', icon: <BankOutlined />, roles: ['FINANCE'] },
  { key: '/finance/budgets', label: '预算指标', icon: <AccountBookOutlined />, roles: ['FINANCE', 'AUDITOR'] },
  { key: '/finance/failed-lines', label: '发放失败与补发', icon: <WarningOutlined />, roles: ['FINANCE'] },
  {
    key: '/overpayments',
    label: '多付追回',
    icon: <RollbackOutlined />,
    roles: ['OFFICER', 'FINANCE', 'AUDITOR'],
  },
  { key: '/audit/trace', label: '资金追溯', icon: <FileSearchOutlined />, roles: ['AUDITOR'] },
  { key: '/audit/events', label: '审计日志', icon: <AuditOutlined />, roles: ['AUDITOR'] },
  { key: '/audit/verify', label: '账本校验', icon: <SafetyCertificateOutlined />, roles: ['AUDITOR'] },
  { key: '/audit/reports', label: '统计报表', icon: <BarChartOutlined />, roles: ['FINANCE', 'AUDITOR'] },
  { key: '/admin/users', label: '用户管理', icon: <TeamOutlined />, roles: ['ADMIN'] },
  { key: '/admin/regions', label: '行政区划', icon: <ClusterOutlined />, roles: ['ADMIN'] },
  { key: '/admin/policies', label: '政策管理', icon: <SettingOutlined />, roles: ['ADMIN'] },
  {
    key: '/jobs',
    label: '我的后台任务',
    icon: <ScheduleOutlined />,
    roles: ['CLERK', 'OFFICER', 'FINANCE', 'AUDITOR', 'ADMIN'],
  },
];

export default function Shell() {
  const user = useUser();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const tasks = useTasks(user.role);
  const pending = (tasks.data ?? []).reduce((sum, t) => sum + t.count, 0);

  const entries = ENTRIES.filter((e) => e.roles.includes(user.role));
  const selected =
    [...entries].sort((a, b) => b.key.length - a.key.length).find((e) => location.pathname.startsWith(e.key))?.key ??
    (location.pathname === '/' ? '/' : '');

  function signOut() {
    session.end();
    queryClient.clear();
    void navigate('/login', { replace: true });
  }

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider
        width={208}
        breakpoint="lg"
        collapsedWidth={0}
        theme="light"
        style={{ borderRight: '1px solid #eee', minHeight: '100vh' }}
      >
        <div style={{ padding: '16px 20px', fontWeight: 600, fontSize: 17, color: '#b5251d' }}>一卡通</div>
        <nav aria-label="主菜单">
          <Menu
            mode="inline"
            selectedKeys={[selected]}
            onClick={({ key }) => void navigate(key)}
            items={[
              {
                key: '/',
                icon: <CheckSquareOutlined />,
                label: (
                  <Space>
                    待办
                    <Badge count={pending} overflowCount={999} aria-label={`待办 ${pending} 项`} />
                  </Space>
                ),
              },
              ...entries.map((e) => ({ key: e.key, icon: e.icon, label: e.label })),
            ]}
          />
        </nav>
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{
            background: '#fff',
            borderBottom: '1px solid #eee',
            display: 'flex',
            justifyContent: 'flex-end',
            alignItems: 'center',
            gap: 16,
            paddingInline: 24,
          }}
        >
          <Typography.Text>
            {user.username}（{ROLE[user.role] ?? user.role} · {user.regionCode}）
          </Typography.Text>
          <Link to="/account/password">
            <KeyOutlined /> 修改密码
          </Link>
          <Button icon={<LogoutOutlined />} onClick={signOut}>
            退出登录
          </Button>
        </Layout.Header>
        <Layout.Content style={{ padding: 24 }}>
          <main>
            <Suspense
              fallback={
                <div style={{ padding: 48, textAlign: 'center' }}>
                  <Spin aria-label="正在加载" />
                </div>
              }
            >
              <Outlet />
            </Suspense>
          </main>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
