import { useMutation } from '@tanstack/react-query';
import { Button, Card, Col, Result, Row } from 'antd';
import { api, unwrap } from '../../api/client';
import type { Schemas } from '../../api/types';
import { PageHead } from '../../components/common';
import { ProblemAlert } from '../../components/problem';

type Problem = { block?: number; problem: string; transferId?: string; accountId?: string; eventId?: string };

function Verdict({
  what,
  ok,
  counted,
  head,
  firstBadBlock,
  problems,
}: {
  what: string;
  ok: boolean;
  counted: string;
  head: { seq: number; hash: string };
  firstBadBlock?: number;
  problems?: Problem[];
}) {
  return ok ? (
    <Result
      status="success"
      title={`${what}校验通过`}
      subTitle={
        <>
          <div>{counted}，哈希链与余额全部一致，未发现篡改。</div>
          <div style={{ wordBreak: 'break-all' }}>
            链头：区块 #{head.seq}，哈希 {head.hash}
          </div>
        </>
      }
    />
  ) : (
    <Result
      status="error"
      title={`${what}校验未通过：第一个异常区块 #${firstBadBlock ?? '?'}`}
      subTitle={
        <div role="alert">
          <div>
            {counted}。自区块 #{firstBadBlock} 起的记录不可信，请立即上报并保全数据库。
          </div>
          <ul style={{ textAlign: 'left', display: 'inline-block' }}>
            {(problems ?? []).slice(0, 20).map((p, i) => (
              <li key={i}>
                {p.block !== undefined ? `区块 #${p.block}：` : ''}
                {p.problem}
                {p.transferId ? `（凭证 ${p.transferId}）` : ''}
                {p.eventId ? `（事件 ${p.eventId}）` : ''}
                {p.accountId ? `（账户 ${p.accountId}）` : ''}
              </li>
            ))}
          </ul>
        </div>
      }
    />
  );
}

/** 账本校验: recompute the ledger's and the audit trail's hash chains and give a verdict. */
export default function VerifyPage() {
  const ledger = useMutation({
    mutationFn: () => unwrap(api.GET('/api/v1/ledger/verify')) as Promise<Schemas['VerifyResultDto']>,
  });
  const audit = useMutation({
    mutationFn: () => unwrap(api.GET('/api/v1/audit/verify')) as Promise<Schemas['AuditVerifyResultDto']>,
  });
  return (
    <>
      <PageHead
        title="账本与审计日志校验"
        extra={
          <Button
            type="primary"
            loading={ledger.isPending || audit.isPending}
            onClick={() => {
              ledger.mutate();
              audit.mutate();
            }}
          >
            开始校验
          </Button>
        }
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card title="资金账本（记账凭证哈希链与余额）">
            <ProblemAlert error={ledger.error} />
            {ledger.data ? (
              <Verdict
                what="资金账本"
                ok={ledger.data.ok}
                counted={`共 ${ledger.data.blocks} 个区块、${ledger.data.transfers} 笔记账凭证`}
                head={ledger.data.head}
                firstBadBlock={ledger.data.firstBadBlock}
                problems={ledger.data.problems}
              />
            ) : (
              <p>{ledger.isPending ? '正在重新计算每个区块的哈希和每个账户的余额…' : '尚未校验。'}</p>
            )}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title="审计日志（事件哈希链）">
            <ProblemAlert error={audit.error} />
            {audit.data ? (
              <Verdict
                what="审计日志"
                ok={audit.data.ok}
                counted={`共 ${audit.data.blocks} 个区块、${audit.data.events} 条已封存事件（另有 ${audit.data.unsealed} 条待封存）`}
                head={audit.data.head}
                firstBadBlock={audit.data.firstBadBlock}
                problems={audit.data.problems}
              />
            ) : (
              <p>{audit.isPending ? '正在封存并重新计算每个审计区块…' : '尚未校验。'}</p>
            )}
          </Card>
        </Col>
      </Row>
    </>
  );
}
