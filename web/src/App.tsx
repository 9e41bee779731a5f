import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider, Spin } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { lazy, Suspense, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { ApiProblem } from './api/client';
import { useSession } from './auth/session';

dayjs.locale('zh-cn');

// Every route is its own chunk: the sign-in page loads none of the work screens.
const LoginPage = lazy(() => import('./auth/LoginPage'));
const Shell = lazy(() => import('./layout/Shell'));
const TasksPage = lazy(() => import('./pages/tasks/TasksPage'));
const HouseholdsPage = lazy(() => import('./pages/households/HouseholdsPage'));
const HouseholdPage = lazy(() => import('./pages/households/HouseholdPage'));
const RegisterHouseholdPage = lazy(() => import('./pages/households/RegisterHouseholdPage'));
const ImportPage = lazy(() => import('./pages/households/ImportPage'));
const EnrollmentsPage = lazy(() => import('./pages/enrollments/EnrollmentsPage'));
const EnrollmentPage = lazy(() => import('./pages/enrollments/EnrollmentPage'));
const PublicityListPage = lazy(() => import('./pages/enrollments/PublicityListPage'));
const BatchesPage = lazy(() => import('./pages/batches/BatchesPage'));
const NewBatchPage = lazy(() => import('./pages/batches/NewBatchPage'));
const BatchPage = lazy(() => import('./pages/batches/BatchPage'));
const ChangePasswordPage = lazy(() => import('./pages/account/ChangePasswordPage'));
const NotFoundPage = lazy(() => import('./pages/NotFoundPage'));
const FinanceBatchesPage = lazy(() => import('./pages/finance/FinanceBatchesPage'));
const FinanceBatchPage = lazy(() => import('./pages/finance/FinanceBatchPage'));
const BudgetsPage = lazy(() => import('./pages/finance/BudgetsPage'));
const FailedLinesPage = lazy(() => import('./pages/finance/FailedLinesPage'));
const OverpaymentsPage = lazy(() => import('./pages/overpayments/OverpaymentsPage'));
const OverpaymentPage = lazy(() => import('./pages/overpayments/OverpaymentPage'));
const TracePage = lazy(() => import('./pages/audit/TracePage'));
const HouseholdTracePage = lazy(() => import('./pages/audit/HouseholdTracePage'));
const BatchTracePage = lazy(() => import('./pages/audit/BatchTracePage'));
const AuditEventsPage = lazy(() => import('./pages/audit/AuditEventsPage'));
const VerifyPage = lazy(() => import('./pages/audit/VerifyPage'));
const ReportsPage = lazy(() => import('./pages/audit/ReportsPage'));
const UsersPage = lazy(() => import('./pages/admin/UsersPage'));
const RegionsPage = lazy(() => import('./pages/admin/RegionsPage'));
const PoliciesPage = lazy(() => import('./pages/admin/PoliciesPage'));
const PolicyPage = lazy(() => import('./pages/admin/PolicyPage'));
const JobsPage = lazy(() => import('./pages/jobs/JobsPage'));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A refusal (4xx) will not change by asking again; a network hiccup may.
      retry: (count, error) => !(error instanceof ApiProblem) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});

const loading = (
  <div style={{ padding: 48, textAlign: 'center' }}>
    <Spin aria-label="正在加载" />
  </div>
);

/** Signed-in routes; otherwise to sign-in, remembering where the user was going. */
function RequireSession({ children }: { children: ReactNode }) {
  const state = useSession();
  const location = useLocation();
  if (state.status === 'signed-in') return children;
  const next = encodeURIComponent(location.pathname + location.search);
  return <Navigate to={`/login?next=${next}`} replace />;
}

export function App() {
  return (
    <ConfigProvider
      locale={zhCN}
      // Secondary text darker than antd's default 45% black: it must stay readable (WCAG AA contrast).
      theme={{
        token: {
          colorPrimary: '#b5251d',
          colorLink: '#0750c4',
          colorError: '#c41d1d',
          borderRadius: 4,
          fontSize: 15,
          colorTextSecondary: 'rgba(0, 0, 0, 0.65)',
          colorTextDescription: 'rgba(0, 0, 0, 0.65)',
          colorTextTertiary: 'rgba(0, 0, 0, 0.6)',
          colorTextPlaceholder: 'rgba(0, 0, 0, 0.55)',
        },
        // A table's "no data" line is drawn in the disabled grey; it is information, so readable.
        // A selected row is marked by its checkbox and a light grey, not a tint that dims its links.
        components: {
          Table: { colorTextDisabled: 'rgba(0, 0, 0, 0.6)', rowSelectedBg: '#f0f0f0', rowSelectedHoverBg: '#e8e8e8' },
        },
      }}
      form={{ validateMessages: { required: '请填写${label}' } }}
      // antd would write 登录 as "登 录": keep button names as they are read and searched.
      button={{ autoInsertSpace: false }}
    >
      <AntApp>
        <QueryClientProvider client={queryClient}>
          <BrowserRouter>
            <Suspense fallback={loading}>
              <Routes>
                <Route path="/login" element={<LoginPage />} />
                <Route
                  element={
                    <RequireSession>
                      <Shell />
                    </RequireSession>
                  }
                >
                  <Route index element={<TasksPage />} />
                  <Route path="households" element={<HouseholdsPage />} />
                  <Route path="households/new" element={<RegisterHouseholdPage />} />
                  <Route path="households/import" element={<ImportPage />} />
                  <Route path="households/:id" element={<HouseholdPage />} />
                  <Route path="enrollments" element={<EnrollmentsPage />} />
                  <Route path="enrollments/publicity" element={<PublicityListPage />} />
                  <Route path="enrollments/:id" element={<EnrollmentPage />} />
                  <Route path="batches" element={<BatchesPage />} />
                  <Route path="batches/new" element={<NewBatchPage />} />
                  <Route path="batches/:id" element={<BatchPage />} />
                  <Route path="account/password" element={<ChangePasswordPage />} />
                  <Route path="finance/batches" element={<FinanceBatchesPage />} />
                  <Route path="finance/batches/:id" element={<FinanceBatchPage />} />
                  <Route path="finance/budgets" element={<BudgetsPage />} />
                  <Route path="finance/failed-lines" element={<FailedLinesPage />} />
                  <Route path="overpayments" element={<OverpaymentsPage />} />
                  <Route path="overpayments/:id" element={<OverpaymentPage />} />
                  <Route path="audit/trace" element={<TracePage />} />
                  <Route path="audit/households/:id" element={<HouseholdTracePage />} />
                  <Route path="audit/batches/:id" element={<BatchTracePage />} />
                  <Route path="audit/events" element={<AuditEventsPage />} />
                  <Route path="audit/verify" element={<VerifyPage />} />
                  <Route path="audit/reports" element={<ReportsPage />} />
                  <Route path="admin/users" element={<UsersPage />} />
                  <Route path="admin/regions" element={<RegionsPage />} />
                  <Route path="admin/policies" element={<PoliciesPage />} />
                  <Route path="admin/policies/:code" element={<PolicyPage />} />
                  <Route path="jobs" element={<JobsPage />} />
                  <Route path="*" element={<NotFoundPage />} />
                </Route>
              </Routes>
            </Suspense>
          </BrowserRouter>
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  );
}
