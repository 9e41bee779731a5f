import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentActor } from '../../common/auth/current-actor.decorator.js';
import { Public, Roles } from '../../common/auth/roles.decorator.js';
import type { Actor } from '../../common/request-context.js';
import { durationSeconds } from '../../common/duration.js';
import { AppConfig } from '../../config/app-config.js';
import { UsersService } from '../users/users.service.js';
import { AuthService } from './auth.service.js';
import { ChangePasswordDto, LoginDto, LoginResponseDto } from './dto/login.dto.js';
import { ApiProblems, ApiSummary } from '../../common/openapi/api-problems.decorator.js';
import { TAGS } from '../../common/openapi/openapi-document.js';

@ApiTags(TAGS.auth)
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
    private readonly config: AppConfig,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiSummary(
    '登录，取得访问令牌',
    'Unknown username, wrong password or a disabled account: 401; more than 10 failed sign-ins a minute for a username and address: 429.',
  )
  @ApiProblems({ 401: ['UNAUTHENTICATED'], 429: ['TOO_MANY_LOGIN_ATTEMPTS'] })
  login(@Body() body: LoginDto): Promise<LoginResponseDto> {
    return this.auth.login(body.username, body.password, durationSeconds(this.config.JWT_EXPIRES_IN));
  }

  @Post('password')
  @Roles()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The password is changed; tokens already issued stay valid until they expire' })
  @ApiSummary('修改本人密码')
  @ApiProblems({ 400: ['WRONG_PASSWORD'], 404: ['NOT_FOUND'] })
  async changePassword(@Body() body: ChangePasswordDto, @CurrentActor() actor: Actor): Promise<void> {
    await this.users.changePassword(actor.id, body.currentPassword, body.newPassword);
  }
}
