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

type Tone = 'success' | 'warning' | 'error' | 'info' | 'neutral';

/** Dark text on a pale ground: every tone keeps a contrast of at least 7:1 (WCAG AAA). */
const TONES: Record<Tone, { color: string; background: string; borderColor: string }> = {
  success: { color: '#135200', background: '#f6ffed', borderColor: '#95de64' },
  warning: { color: '#613400', background: '#fffbe6', borderColor: '#ffd666' },
  error: { color: '#820014', background: '#fff1f0', borderColor: '#ffa39e' },
  info: { color: '#002c8c', background: '#e6f4ff', borderColor: '#91caff' },
  neutral: { color: '#262626', background: '#fafafa', borderColor: '#d9d9d9' },
};

export function ToneTag({ tone, children }: { tone: Tone; children: ReactNode }) {
  return (
    <Tag variant="outlined" style={TONES[tone]}>
      {children}
    </Tag>
  );
}

const STATUS_TONE: Record<string, Tone> = {
  SUBMITTED: 'info',
  PUBLICIZED: 'warning',
  APPROVED: 'success',
  ACTIVE: 'success',
  REJECTED: 'error',
  SUSPENDED: 'warning',
  GENERATED: 'info',
  GENERATION_FAILED: 'error',
  PAID: 'success',
  FAILED: 'error',
};

/** A status in words, toned; the words carry the meaning, never the colour alone. */
export function StatusTag({ status, labels }: { status: string; labels: Record<string, string> }) {
  return <ToneTag tone={STATUS_TONE[status] ?? 'neutral'}>{labels[status] ?? status}</ToneTag>;
}

/** Money exactly as the API wrote it (a decimal string), with the yuan sign. */
export const Money = ({ value }: { value: string | null | undefined }) =>
  value == null ? <span>—</span> : <span style={{ fontVariantNumeric: 'tabular-nums' }}>¥{value}</span>;
