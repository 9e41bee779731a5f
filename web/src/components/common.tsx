import { Breadcrumb, Tag, Typography } from 'antd';
import type { ReactNode } from 'react';
import { Link } from 'react-router';

/** The head of every page: where it sits, its title, its actions. */
export function PageHead({
  title,
  crumbs = [],
  extra,
}: {
  title: ReactNode;
  crumbs?: { title: string; to?: string }[];
  extra?: ReactNode;
}) {
  return (
    <div style={{ marginBottom: 16 }}>
      {crumbs.length > 0 && (
        <Breadcrumb
          items={crumbs.map((c) => ({ title: c.to ? <Link to={c.to}>{c.title}</Link> : c.title }))}
          style={{ marginBottom: 8 }}
        />
      )}
      <div
        style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 16, flexWrap: 'wrap' }}
      >
        <Typography.Title level={2} style={{ margin: 0, fontSize: 22 }}>
          {title}
        </Typography.Title>
        <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>{extra}</div>
      </div>
    </div>
  );
}

const STATUS_COLOR: Record<string, string> = {
  DRAFT: 'default',
  SUBMITTED: 'blue',
  PUBLICIZED: 'gold',
  APPROVED: 'green',
  ACTIVE: 'green',
  REJECTED: 'red',
  SUSPENDED: 'orange',
  TERMINATED: 'default',
  GENERATED: 'blue',
  GENERATION_FAILED: 'red',
  PAID: 'green',
  FAILED: 'red',
  PENDING: 'default',
};

/** A status in words, coloured; the words carry the meaning, never the colour alone. */
export function StatusTag({ status, labels }: { status: string; labels: Record<string, string> }) {
  return <Tag color={STATUS_COLOR[status] ?? 'default'}>{labels[status] ?? status}</Tag>;
}

/** Money exactly as the API wrote it (a decimal string), with the yuan sign. */
export const Money = ({ value }: { value: string | null | undefined }) =>
  value == null ? <span>—</span> : <span style={{ fontVariantNumeric: 'tabular-nums' }}>¥{value}</span>;
