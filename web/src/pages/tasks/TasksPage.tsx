import { Button, Card, Col, Empty, Row, Statistic } from 'antd';
import { Link } from 'react-router';
import { useUser } from '../../auth/session';
import { PageHead } from '../../components/common';
import { ProblemAlert } from '../../components/problem';
import { useTasks } from './tasks';

export default function TasksPage() {
  const user = useUser();
  const tasks = useTasks(user.role);
  return (
    <>
      <PageHead
        title="待办"
        extra={
          user.role === 'OFFICER' ? (
            <Link to="/batches/new">
              <Button type="primary">新建发放批次</Button>
            </Link>
          ) : user.role === 'CLERK' ? (
            <Link to="/households/new">
              <Button type="primary">登记新户</Button>
            </Link>
          ) : null
        }
      />
      <ProblemAlert error={tasks.error} />
      {tasks.data && tasks.data.length === 0 && <Empty description="您的岗位在这里没有待办事项" />}
      <Row gutter={[16, 16]}>
        {(tasks.data ?? []).map((task) => (
          <Col key={task.key} xs={24} sm={12} xl={6}>
            <Card>
              <Statistic title={task.title} value={task.more ? `${task.count}+` : task.count} suffix="件" />
              <Link
                to={task.to}
                aria-label={`${task.action}：${task.title}`}
                style={{ display: 'inline-block', marginTop: 12 }}
              >
                {task.action}
              </Link>
            </Card>
          </Col>
        ))}
      </Row>
    </>
  );
}
