import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

/** One field's problem in a refused request. */
@ApiSchema({ name: 'FieldProblem' })
export class FieldProblemView {
  @ApiProperty({ example: 'members[0].idNumber' }) field!: string;
  @ApiProperty({ example: '身份证号校验位不正确' }) message!: string;
}

/**
 * Every 4xx and 5xx body (RFC 9457, `application/problem+json`): `title` and `detail` in the
 * caller's language, `code` the stable machine name. A refusal may add its own fields (the
 * conditions that failed, the budget line short of money), so further properties are allowed.
 */
@ApiSchema({ name: 'ProblemDetails', description: 'RFC 9457 problem details; `code` is the stable machine name' })
export class ProblemDetailsView {
  @ApiProperty({ example: 'https://yikatong.dev/problems/not-eligible' }) type!: string;
  @ApiProperty({ example: '无法处理' }) title!: string;
  @ApiProperty({ example: 422 }) status!: number;
  @ApiProperty({ example: '受益人不符合 农村部分计划生育家庭奖励扶助 的条件' }) detail!: string;
  @ApiProperty({ example: 'NOT_ELIGIBLE' }) code!: string;
  @ApiPropertyOptional({ example: '/api/v1/enrollments/0b6c…/submit', description: 'The request path' })
  instance?: string;
  @ApiPropertyOptional({ description: 'The X-Request-Id, also in the logs' }) requestId?: string;
  @ApiPropertyOptional({
    type: [FieldProblemView],
    description: 'Field problems (VALIDATION_FAILED, IMPORT_REJECTED…)',
  })
  errors?: FieldProblemView[];
}
