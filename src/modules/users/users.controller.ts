import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { cursorPart, decodeCursor, PageQuery, toPage, type Page } from '../../common/pagination.js';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/roles.decorator.js';
import { CreateUserDto, UpdateUserDto, UserDto } from './dto/user.dto.js';
import { UsersService } from './users.service.js';
import { ApiProblems, ApiSummary } from '../../common/openapi/api-problems.decorator.js';
import { UserPage } from './dto/user.view.js';
import { TAGS } from '../../common/openapi/openapi-document.js';

@ApiTags(TAGS.users)
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @HttpCode(201)
  @Roles('ADMIN')
  @ApiCreatedResponse({ type: UserDto })
  @ApiSummary('新建用户')
  @ApiProblems({ 409: ['USERNAME_TAKEN'] })
  create(@Body() body: CreateUserDto): Promise<UserDto> {
    return this.users.create(body);
  }

  @Get()
  @Roles('ADMIN')
  @ApiOkResponse({ type: UserPage, description: 'Users by username' })
  @ApiSummary('用户列表')
  async list(@Query() query: PageQuery): Promise<Page<UserDto>> {
    const [after] = decodeCursor(query.cursor, [cursorPart.text]) ?? [''];
    const rows = await this.users.list(after, query.limit + 1);
    return toPage(
      rows,
      query.limit,
      (user) => [user.username],
      (user) => user,
    );
  }

  @Patch(':id')
  @Roles('ADMIN')
  @ApiOkResponse({ type: UserDto })
  @ApiSummary('停用或启用用户')
  @ApiProblems({ 404: ['NOT_FOUND'] })
  update(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: UpdateUserDto): Promise<UserDto> {
    return this.users.update(id, body);
  }
}
