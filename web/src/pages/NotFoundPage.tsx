import { Button, Result } from 'antd';
import { Link } from 'react-router';

export default function NotFoundPage() {
  return (
    <Result
      status="404"
      title="没有这个页面"
      subTitle="链接可能有误，或页面已移走。"
      extra={
        <Link to="/">
          <Button type="primary">回到待办</Button>
        </Link>
      }
    />
  );
}
