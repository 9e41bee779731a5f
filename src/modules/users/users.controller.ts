import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { cursorPart, decodeCursor, PageQuery, toPage, type Page } from '../../common/pagination.js';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/roles.decorator.js';
import { CreateUserDto, UpdateUserDto, UserDto } from './dto/user.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @HttpCode(201)
  @Roles('ADMIN')
  @ApiCreatedResponse({ type: UserDto })
  create(@Body() body: CreateUserDto): Promise<UserDto> {
    return this.users.create(body);
  }

  @Get()
  @Roles('ADMIN')
  @ApiOkResponse({ description: '{items, nextCursor}: users by username' })
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
  update(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: UpdateUserDto): Promise<UserDto> {
    return this.users.update(id, body);
  }
}
